import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { magicLinkCallbackUrl } from '../../src/auth/login.js'
import { memberAuthorization } from '../../src/auth/member-authorization.js'
import { AUTHENTICATED, errorResponses } from '../../src/openapi/route-helpers.js'
import { InviteMemberBodySchema, MemberParamsSchema, MemberProfileSchema, OrganizationParamsSchema, UpdateRolesBodySchema } from '../../src/schemas/member.js'
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
      response: { 201: Type.Ref(MemberProfileSchema), ...errorResponses(400, 401, 403, 409, 503) }
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
      response: { 200: Type.Ref(MemberProfileSchema), ...errorResponses(400, 401, 403, 404, 503) }
    }
  }, async (request) => {
    const { member } = request.requireAuth()
    try {
      const response = await client.organizations.members.update({
        organization_id: member.organization_id,
        member_id: request.params.memberId,
        roles: request.body.roles
      }, { authorization: memberAuthorization(request) })
      return memberProfile(response.member)
    } catch (err) {
      throw fromStytchManagementError(err, 'update.settings.roles', 'stytch.member')
    }
  })
}

export default members
