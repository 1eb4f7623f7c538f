import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../src/openapi/route-helpers.js'
import { OrganizationProfileSchema, UpdateOrganizationBodySchema } from '../../src/schemas/organization.js'
import { OrganizationParamsSchema } from '../../src/schemas/primitives.js'

/** Every `stytch.organization` action an update may need: one per field it can change (reference §8.5). */
const UPDATE_ACTIONS = [
  'update.info.name', 'update.info.slug', 'update.info.logo-url', 'update.settings.allowed-domains',
  'update.settings.email-jit-provisioning', 'update.settings.email-invites'
]

const organization: FastifyPluginAsyncTypebox = async (fastify) => {
  const service = fastify.organizations

  fastify.get('/v1/organizations/:organizationId', {
    config: { auth: true },
    schema: {
      tags: ['organizations'],
      operationId: 'getOrganization',
      summary: 'The organization, as its members see it',
      description: 'Any member of the organization may read it: name, slug, logo and the settings that say how people log in and join (allowed email domains, JIT provisioning, invites, auth methods, MFA policy). Admin-only configuration (trusted metadata, SSO/SCIM, implicit role rules) is not included. Another organization is refused (403).',
      params: OrganizationParamsSchema,
      response: { 200: Type.Ref(OrganizationProfileSchema), ...errorResponses(403, 404) }
    }
  }, async (request) => await service.get(request, request.params.organizationId))

  fastify.patch('/v1/organizations/:organizationId', {
    config: {
      permission: UPDATE_ACTIONS.map((action) => ({ resource: 'stytch.organization', action, organization: 'path' as const })),
      sensitive: { maxAuthAgeMinutes: 60 }
    },
    schema: {
      tags: ['organizations'],
      operationId: 'updateOrganization',
      summary: 'Change the organization\'s name, slug, logo, allowed domains, JIT and invite settings',
      description: 'Changes the given fields at Stytch (`organizations.update`); the call carries the admin\'s session, so Stytch checks the `stytch.organization` action of each field as well. Locally every action below is required (the default `stytch_admin` has them all). A slug another organization uses is a 409 `slug_taken`; an invalid or common-provider domain, or settings that would leave no way to join, a 400.',
      params: OrganizationParamsSchema,
      body: UpdateOrganizationBodySchema,
      response: { 200: Type.Ref(OrganizationProfileSchema), ...errorResponses(404, 409) }
    }
  }, async (request) => await service.update(request, request.body))
}

export default organization
