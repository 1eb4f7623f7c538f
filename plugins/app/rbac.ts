import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { grantingRoles, routePermissions, type RoutePermission } from '../../src/rbac/authorize.js'
import { createPolicyCache } from '../../src/rbac/policy-cache.js'
import { PermissionDeniedError } from '../../src/errors.js'
// The policy cache answers from memory almost always: no bulkhead slot for that (its rare fetches are background or first-use).
import { callStytch } from '../../src/stytch/errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs; checked by one hook right after authentication, before the body is read. */
    permission?: RoutePermission | RoutePermission[]
  }
  interface FastifyInstance {
    rbac: { policy: ReturnType<typeof createPolicyCache> }
  }
}

const toArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

const POLICY_TTL_MS = 5 * 60 * 1000

/**
 * Route-level RBAC. A route declares `config.permission` — resource, action, and where the
 * organization comes from — and this hook enforces it against Stytch's RBAC policy with the SDK's
 * own rule, locally: a deny is a 403 that costs no Stytch call and happens before the body is
 * parsed, so a denied request has no side effect. Stytch-owned resources are checked here too, and
 * enforced again by Stytch, since those routes pass the member's session along with the call.
 */
export default fp(async function rbac (fastify: FastifyInstance) {
  const policy = createPolicyCache({ client: fastify.stytch.client, ttlMs: POLICY_TTL_MS })
  fastify.decorate('rbac', { policy })

  // Runs after the auth hook, which the auth plugin (registered first) appends to the same routes
  // (a permission implies authentication).
  fastify.addHook('onRoute', (route) => {
    const permissions = routePermissions(route.config)
    for (const permission of permissions) {
      if (permission.organization === 'path' && !route.url.includes(':organizationId')) {
        throw new Error(`route ${route.url}: permission.organization 'path' needs an :organizationId parameter`)
      }
    }
    if (permissions.length === 0) return
    const enforce = async (request: FastifyRequest): Promise<void> => {
      for (const permission of permissions) await check(request, permission)
    }
    route.onRequest = [...toArray(route.onRequest), enforce]
    // Sensitive routes confirm the session with Stytch in preHandler (auth plugin): the roles
    // Stytch answers with may be fewer than the JWT's, so the check runs again on them.
    if (route.config?.sensitive !== undefined) route.preHandler = [...toArray(route.preHandler), enforce]
  })

  async function check (request: FastifyRequest, permission: RoutePermission): Promise<void> {
    const { organization, session } = request.requireAuth()
    if (permission.organization === 'path') {
      const requested = (request.params as { organizationId?: string }).organizationId
      if (requested !== organization.organization_id && requested !== organization.organization_slug) {
        throw new PermissionDeniedError(permission.action, `${permission.resource} in another organization`)
      }
    }
    const roles = await callStytch({ kind: 'read' }, () => policy.roles(organization.organization_id))
    if (grantingRoles(roles, session.roles, permission.resource, permission.action).length === 0) {
      throw new PermissionDeniedError(permission.action, permission.resource)
    }
  }
}, { name: 'rbac', dependencies: ['auth', 'stytch'] })
