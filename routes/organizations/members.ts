import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RevokedCountSchema } from '../../src/schemas/session.js'
import { errorResponses } from '../../src/openapi/route-helpers.js'
import { InviteMemberBodySchema, MemberProfileSchema, UpdateRolesBodySchema } from '../../src/schemas/member.js'
import { MemberParamsSchema, OrganizationParamsSchema } from '../../src/schemas/primitives.js'

const members: FastifyPluginAsyncTypebox = async (fastify) => {
  const service = fastify.members

  fastify.post('/v1/organizations/:organizationId/members', {
    config: { permission: { resource: 'stytch.member', action: 'create', organization: 'path' }, sensitive: true },
    schema: {
      tags: ['members'],
      operationId: 'inviteMember',
      summary: 'Invite a member by email',
      description: 'Creates the member as `invited` and emails an invite magic link (valid one week). Stytch also checks the inviting member\'s session.',
      params: OrganizationParamsSchema,
      body: InviteMemberBodySchema,
      response: { 201: Type.Ref(MemberProfileSchema), ...errorResponses(409) }
    }
  }, async (request, reply) => await reply.code(201).send(await service.invite(request, request.body)))

  fastify.put('/v1/organizations/:organizationId/members/:memberId/roles', {
    config: { permission: { resource: 'stytch.member', action: 'update.settings.roles', organization: 'path' }, sensitive: { maxAuthAgeMinutes: 60 } },
    schema: {
      tags: ['members'],
      operationId: 'updateMemberRoles',
      summary: 'Replace a member\'s roles',
      description: 'Replaces the member\'s explicit roles (`stytch_member` is always kept). Takes effect in the member\'s next session JWT; Stytch also checks the acting member\'s session. Taking `stytch_admin` from the organization\'s last active admin is refused (409 `last_admin`).',
      params: MemberParamsSchema,
      body: UpdateRolesBodySchema,
      response: { 200: Type.Ref(MemberProfileSchema), ...errorResponses(404, 409) }
    }
  }, async (request) => await service.updateRoles(request, request.params.memberId, request.body.roles))

  fastify.post('/v1/organizations/:organizationId/members/:memberId/sessions/revoke', {
    config: { permission: { resource: 'stytch.member', action: 'revoke-sessions', organization: 'path' }, sensitive: true },
    schema: {
      tags: ['members'],
      operationId: 'revokeMemberSessions',
      summary: 'Sign a member out everywhere',
      description: 'Revokes every session of a member of the organization, at once on every instance. Stytch also checks the acting member\'s session.',
      params: MemberParamsSchema,
      response: { 200: Type.Ref(RevokedCountSchema), ...errorResponses(404) }
    }
  }, async (request) => ({ revoked: await service.revokeSessions(request, request.params.memberId) }))

  fastify.delete('/v1/organizations/:organizationId/members/:memberId', {
    config: { permission: { resource: 'stytch.member', action: 'delete', organization: 'path' }, sensitive: { maxAuthAgeMinutes: 60 } },
    schema: {
      tags: ['members'],
      operationId: 'removeMember',
      summary: 'Remove a member from the organization',
      description: 'Deletes the member at Stytch (which revokes their sessions and pending invites) and revokes their sessions here at once, on every instance. The organization\'s last active `stytch_admin` cannot be removed (409 `last_admin`).',
      params: MemberParamsSchema,
      response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(404, 409) }
    }
  }, async (request, reply) => {
    await service.remove(request, request.params.memberId)
    return await reply.code(204).send(null)
  })
}

export default members
