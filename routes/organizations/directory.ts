import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../src/openapi/route-helpers.js'
import { MemberProfileSchema } from '../../src/schemas/member.js'
import { ListInvitationsQuerySchema, ListMembersQuerySchema, MemberPageSchema } from '../../src/schemas/organization.js'
import { MemberParamsSchema, OrganizationParamsSchema } from '../../src/schemas/primitives.js'

const member = (action: string) => ({ resource: 'stytch.member', action, organization: 'path' as const })
const FILTERS = 'Filters combine (AND). `status` is applied by Stytch; `email` (a case-insensitive prefix) is narrowed by Stytch\'s fuzzy email search when 3+ characters long and matched exactly here; `role` and `name` (a case-insensitive prefix) have no Stytch search operand and are applied here, over Stytch\'s pages — so a page can hold fewer than `limit` members while `next_cursor` is set.'

const directory: FastifyPluginAsyncTypebox = async (fastify) => {
  const service = fastify.members
  const base = '/v1/organizations/:organizationId'

  fastify.get(`${base}/members`, {
    config: { permission: member('search') },
    schema: {
      tags: ['members'],
      operationId: 'listMembers',
      summary: 'The members directory',
      description: `Members of the organization (not deleted ones), through Stytch's \`members.search\` with the acting member's session. Pass \`next_cursor\` back as \`cursor\` for the next page. ${FILTERS}`,
      params: OrganizationParamsSchema,
      querystring: ListMembersQuerySchema,
      response: { 200: Type.Ref(MemberPageSchema) }
    }
  }, async (request) => await service.list(request, request.query))

  fastify.get(`${base}/members/:memberId`, {
    config: { permission: member('search') },
    schema: {
      tags: ['members'],
      operationId: 'getMember',
      summary: 'One member of the organization',
      params: MemberParamsSchema,
      response: { 200: Type.Ref(MemberProfileSchema), ...errorResponses(404) }
    }
  }, async (request) => await service.get(request, request.params.memberId))

  fastify.get(`${base}/invitations`, {
    config: { permission: member('search') },
    schema: {
      tags: ['invitations'],
      operationId: 'listInvitations',
      summary: 'Pending invitations',
      description: 'The members whose status is `invited` (invited, not yet logged in). `email` is a case-insensitive prefix. Pass `next_cursor` back as `cursor` for the next page.',
      params: OrganizationParamsSchema,
      querystring: ListInvitationsQuerySchema,
      response: { 200: Type.Ref(MemberPageSchema) }
    }
  }, async (request) => await service.listInvitations(request, request.query))

  fastify.post(`${base}/invitations/:memberId/resend`, {
    config: { permission: member('create'), sensitive: true },
    schema: {
      tags: ['invitations'],
      operationId: 'resendInvitation',
      summary: 'Email an invitation again',
      description: 'Sends the invited member a fresh invite magic link (valid one week). A member who is not invited (already joined, or pending) is a 409 `not_invited`. Stytch also checks the acting member\'s session.',
      params: MemberParamsSchema,
      response: { 200: Type.Ref(MemberProfileSchema), ...errorResponses(404, 409) }
    }
  }, async (request) => await service.resendInvitation(request, request.params.memberId))

  fastify.delete(`${base}/invitations/:memberId`, {
    config: { permission: member('delete'), sensitive: true },
    schema: {
      tags: ['invitations'],
      operationId: 'revokeInvitation',
      summary: 'Withdraw an invitation',
      description: 'Deletes the invited member at Stytch, which voids the invite link. Only while the member is still invited: one who has joined is a 409 `not_invited` (remove them with removeMember). Stytch also checks the acting member\'s session.',
      params: MemberParamsSchema,
      response: { 204: Type.Null({ description: 'Withdrawn' }), ...errorResponses(404, 409) }
    }
  }, async (request, reply) => {
    await service.revokeInvitation(request, request.params.memberId)
    return await reply.code(204).send(null)
  })
}

export default directory
