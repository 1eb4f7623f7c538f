import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginSchema } from '../../src/schemas/auth.js'
import { DiscoveredOrganizationListSchema, SwitchOrganizationParamsSchema } from '../../src/schemas/discovery.js'
import { errorResponses } from '../../src/openapi/route-helpers.js'

/** The organizations of my email address, and switching my session to another of them. */
const organizations: FastifyPluginAsyncTypebox = async (fastify) => {
  const { discovery } = fastify

  fastify.get('/v1/me/organizations', {
    config: { auth: true },
    schema: {
      tags: ['me'],
      operationId: 'listMyOrganizations',
      summary: 'The organizations my email address belongs to',
      description: 'Every organization where the session\'s email address is a member (active, pending or invited), the current one included, each saying whether switchOrganization can enter it at once (`can_enter`) or what it requires.',
      response: { 200: Type.Ref(DiscoveredOrganizationListSchema) }
    }
  }, async (request) => await discovery.listMine(request))

  fastify.post('/v1/me/organizations/:organizationId/switch', {
    config: { auth: true },
    schema: {
      tags: ['me'],
      operationId: 'switchOrganization',
      summary: 'Switch my session to another of my organizations',
      description: 'Exchanges the session for one in another organization of the same email address (an invitation there is accepted). The new session replaces the old one in this answer: cookie clients get both cookies rewritten, bearer clients get `session_token` and `session_jwt` in the body. The old session ends (at Stytch and on the revocation list: its JWT is refused at once on every instance). 403 `not_a_member`: the address is not a member there; 404: no such organization. 403 `primary_auth_required` / `mfa_required`: the organization needs another login method or a second factor (the current session stays as it was).',
      params: SwitchOrganizationParamsSchema,
      response: { 200: Type.Ref(LoginSchema), ...errorResponses(403, 404) }
    }
  }, async (request, reply) => await discovery.switchTo(request, reply, request.params.organizationId))
}

export default organizations
