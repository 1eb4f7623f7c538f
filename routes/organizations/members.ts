import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { magicLinkCallbackUrl } from '../../src/auth/login.js'
import { memberAuthorization } from '../../src/auth/member-authorization.js'
import { activeSessionIds, markRevoked, revokeMemberSessions } from '../../src/auth/revoke.js'
import { RevokedCountSchema } from '../../src/schemas/session.js'
import { losesPermissions } from '../../src/rbac/authorize.js'
import { AUTHENTICATED, errorResponses } from '../../src/openapi/route-helpers.js'
import { InviteMemberBodySchema, MemberProfileSchema, UpdateRolesBodySchema } from '../../src/schemas/member.js'
import { MemberParamsSchema, OrganizationParamsSchema } from '../../src/schemas/primitives.js'
import { fromStytchManagementError } from '../../src/stytch/errors.js'
import { memberProfile } from '../../src/stytch/member-profile.js'

const members: FastifyPluginAsyncTypebox = async (fastify) => {
  const { client } = fastify.stytch

  fastify.post('/v1/organizations/:organizationId/members', {
    config: { auth: true, permission: { resource: 'stytch.member', action: 'create', organization: 'path' } },
    schema: {
      tags: ['members'],
      operationId: 'inviteMember',
      summary: 'Invite a member by email',
      description: 'Creates the member as `invited` and emails an invite magic link (valid one week). Stytch also checks the inviting member\'s session.',
      security: AUTHENTICATED,
      params: OrganizationParamsSchema,
      body: InviteMemberBodySchema,
      response: { 201: Type.Ref(MemberProfileSchema), ...errorResponses(400, 401, 403, 409, 413, 415, 503) }
    }
  }, async (request, reply) => {
    const { member } = request.requireAuth()
    try {
      const response = await client.magicLinks.email.invite({
        organization_id: member.organization_id,
        email_address: request.body.email_address,
        invite_redirect_url: magicLinkCallbackUrl(fastify.config),
        invited_by_member_id: member.member_id,
        ...(request.body.name === undefined ? {} : { name: request.body.name }),
        ...(request.body.roles === undefined ? {} : { roles: request.body.roles })
      }, { authorization: memberAuthorization(request) })
      return await reply.code(201).send(memberProfile(response.member))
    } catch (err) {
      throw fromStytchManagementError(err, 'create', 'stytch.member')
    }
  })

  fastify.put('/v1/organizations/:organizationId/members/:memberId/roles', {
    config: { auth: true, permission: { resource: 'stytch.member', action: 'update.settings.roles', organization: 'path' } },
    schema: {
      tags: ['members'],
      operationId: 'updateMemberRoles',
      summary: 'Replace a member\'s roles',
      description: 'Replaces the member\'s explicit roles (`stytch_member` is always kept). Takes effect in the member\'s next session JWT; Stytch also checks the acting member\'s session.',
      security: AUTHENTICATED,
      params: MemberParamsSchema,
      body: UpdateRolesBodySchema,
      response: { 200: Type.Ref(MemberProfileSchema), ...errorResponses(400, 401, 403, 404, 413, 415, 503) }
    }
  }, async (request) => {
    const { member } = request.requireAuth()
    const target = { organization_id: member.organization_id, member_id: request.params.memberId }
    let before, after
    try {
      before = (await client.organizations.members.get(target)).member
      after = (await client.organizations.members.update({ ...target, roles: request.body.roles }, { authorization: memberAuthorization(request) })).member
    } catch (err) {
      throw fromStytchManagementError(err, 'update.settings.roles', 'stytch.member')
    }
    // A member who lost a permission must not keep it for the life of their current JWTs.
    const policy = await fastify.rbac.policy.roles(target.organization_id)
    if (losesPermissions(policy, before.roles.map((r) => r.role_id), after.roles.map((r) => r.role_id))) {
      await revokeMemberSessions(fastify, target.organization_id, target.member_id)
    }
    return memberProfile(after)
  })

  fastify.post('/v1/organizations/:organizationId/members/:memberId/sessions/revoke', {
    config: { auth: true, permission: { resource: 'stytch.member', action: 'revoke-sessions', organization: 'path' } },
    schema: {
      tags: ['members'],
      operationId: 'revokeMemberSessions',
      summary: 'Sign a member out everywhere',
      description: 'Revokes every session of a member of the organization, at once on every instance. Stytch also checks the acting member\'s session.',
      security: AUTHENTICATED,
      params: MemberParamsSchema,
      response: { 200: Type.Ref(RevokedCountSchema), ...errorResponses(400, 401, 403, 404, 503) }
    }
  }, async (request) => {
    const { member } = request.requireAuth()
    return { revoked: await revokeMemberSessions(fastify, member.organization_id, request.params.memberId, memberAuthorization(request)) }
  })

  fastify.delete('/v1/organizations/:organizationId/members/:memberId', {
    config: { auth: true, permission: { resource: 'stytch.member', action: 'delete', organization: 'path' } },
    schema: {
      tags: ['members'],
      operationId: 'removeMember',
      summary: 'Remove a member from the organization',
      description: 'Deletes the member at Stytch (which revokes their sessions and pending invites) and revokes their sessions here at once, on every instance.',
      security: AUTHENTICATED,
      params: MemberParamsSchema,
      response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(400, 401, 403, 404, 503) }
    }
  }, async (request, reply) => {
    const { member } = request.requireAuth()
    const sessionIds = await activeSessionIds(client, member.organization_id, request.params.memberId)
    try {
      await client.organizations.members.delete({ organization_id: member.organization_id, member_id: request.params.memberId }, { authorization: memberAuthorization(request) })
    } catch (err) {
      throw fromStytchManagementError(err, 'delete', 'stytch.member')
    }
    await markRevoked(fastify, sessionIds)
    return await reply.code(204).send(null)
  })
}

export default members
