import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuditEventPageSchema, ListAuditEventsQuerySchema } from '../../src/schemas/audit.js'
import { OrganizationParamsSchema } from '../../src/schemas/primitives.js'

const auditEvents: FastifyPluginAsyncTypebox = async (fastify) => {
  const { audit } = fastify

  fastify.get('/v1/organizations/:organizationId/audit-events', {
    config: { permission: { resource: 'audit', action: 'read', organization: 'path' } },
    schema: {
      tags: ['audit'],
      operationId: 'listAuditEvents',
      summary: 'The organization\'s audit trail',
      description: 'Security events of the organization, newest first: logins, logouts, revoked sessions, role changes, invitations, removals, organization changes and switches, each with the acting member, the target, the client\'s IP address and user agent, and the request id. No secret is ever stored. Filters combine: `type` (repeat for several), `actor` (member id), `since` (inclusive) and `until` (exclusive). `limit` per page; pass `next_cursor` back as `cursor` (with the same filters) for older events.',
      params: OrganizationParamsSchema,
      querystring: ListAuditEventsQuerySchema,
      response: { 200: Type.Ref(AuditEventPageSchema) }
    }
  }, async (request) => {
    const { organization } = request.requireAuth()
    const { limit, cursor, type, actor, since, until } = request.query
    return await audit.list(organization.organization_id, {
      limit: limit ?? 50,
      ...(cursor === undefined ? {} : { cursor }),
      ...(type === undefined ? {} : { types: type }),
      ...(actor === undefined ? {} : { actor }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until })
    })
  })
}

export default auditEvents
