import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { requestId } from '../ids.js'
import { errors } from '../inferred.js'
import { OrganizationIdParams, PolicyRoles } from '../schemas.js'
import { type EmulatorState } from '../state.js'
import { requireOrganization, touch } from '../store.js'

const OrgPolicyBody = Type.Object({ org_policy: Type.Object({ roles: PolicyRoles }) })

/**
 * The project policy and per-org policies. The SDK's local authorization check fetches both, so the org
 * policy must answer 200 `{ org_policy: { roles: [] } }` for orgs without custom roles (reference §8.2).
 */
export const rbacRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.get('/v1/b2b/rbac/policy', async () => {
    return { request_id: requestId(), status_code: 200, policy: structuredClone(state.policy) }
  })

  app.get('/v1/b2b/rbac/organizations/:organization_id', { schema: { params: OrganizationIdParams } }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    return { request_id: requestId(), status_code: 200, org_policy: { roles: structuredClone(organization.custom_roles) } }
  })

  app.put('/v1/b2b/rbac/organizations/:organization_id', {
    schema: { params: OrganizationIdParams, body: OrgPolicyBody }
  }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const roles = request.body.org_policy.roles
    const projectRoleIds = new Set(state.policy.roles.map((role) => role.role_id))
    const clash = roles.find((role) => projectRoleIds.has(role.role_id))
    if (clash !== undefined) {
      throw new StytchApiError(errors.invalidArgument, `Role ${clash.role_id} already exists in the project policy.`)
    }
    organization.custom_roles = structuredClone(roles)
    touch(state, organization)
    return { request_id: requestId(), status_code: 200, org_policy: { roles: structuredClone(roles) } }
  })
}
