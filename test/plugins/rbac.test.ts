import type { FastifyInstance, FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import rbac from '../../plugins/app/rbac.js'
import type { SessionContext } from '../../src/auth/session-context.js'
import { MissingCredentialsError } from '../../src/errors.js'
import type { PolicyRole } from '../../src/rbac/policy.js'
import { bareApp, errorCode, fakePlugin } from './helper.js'

const ORG = { organization_id: 'organization-test-1', organization_slug: 'acme' }

/** Roles as Stytch's policy lists them: viewers read documents, editors also write, admins do anything. */
const PROJECT_ROLES: PolicyRole[] = [
  { role_id: 'viewer', description: '', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
  { role_id: 'editor', description: '', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
  { role_id: 'admin', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }] }
]

/** The session the fake auth plugin puts on a request: organization acme, the given roles. */
function sessionWith (roles: string[]): SessionContext {
  return {
    startedAtMs: Date.now(),
    member: { member_id: 'member-test-1', organization_id: ORG.organization_id, email_address: 'someone@acme.test', roles },
    organization: ORG,
    session: { member_session_id: 'session-test-1', started_at: '', last_accessed_at: '', expires_at: '', roles, authentication_factors: [], custom_claims: {} }
  }
}

/**
 * Stand-in for plugins/app/auth.ts: decorates the request like the real one, authenticated by a
 * test header (`x-test-roles: stytch_member,viewer`) instead of a session.
 */
const fakeAuth = fakePlugin('auth', async (fastify) => {
  fastify.decorateRequest('sessionContext', null)
  fastify.decorateRequest('requireAuth', function (this: FastifyRequest): SessionContext {
    if (this.sessionContext === null) throw new MissingCredentialsError()
    return this.sessionContext
  })
  fastify.addHook('onRequest', async (request) => {
    const roles = request.headers['x-test-roles']
    if (typeof roles === 'string') request.sessionContext = sessionWith(roles.split(','))
  })
})

/** Stand-in for plugins/app/stytch.ts: an SDK client with just the two RBAC policy calls, countable and breakable. */
function fakeStytch () {
  const stytch = { down: false, calls: { policy: 0, orgPolicy: 0 } }
  const plugin = fakePlugin('stytch', async (fastify) => {
    fastify.decorate('stytch', {
      client: {
        rbac: {
          policy: async () => {
            stytch.calls.policy++
            if (stytch.down) throw new TypeError('fetch failed')
            return { policy: { roles: PROJECT_ROLES, resources: [] } }
          },
          organizations: {
            getOrgPolicy: async () => {
              stytch.calls.orgPolicy++
              if (stytch.down) throw new TypeError('fetch failed')
              return { org_policy: { roles: [] } }
            }
          }
        }
      }
    } as unknown as FastifyInstance['stytch'])
  })
  return { stytch, plugin }
}

/** rbac on a bare Fastify with the fakes, plus the routes `routes` declares. */
async function build (t: Test, routes: (app: FastifyInstance) => void = documentRoutes) {
  const app = bareApp(t)
  const { stytch, plugin } = fakeStytch()
  await app.register(plugin)
  await app.register(fakeAuth)
  await app.register(rbac)
  // Not awaited: a route the plugins refuse makes ready() (or the first inject) fail.
  void app.register(async (scope) => { routes(scope) })
  return { app, stytch }
}

function documentRoutes (app: FastifyInstance): void {
  const ok = async () => ({ ok: true })
  app.get('/v1/organizations/:organizationId/documents', { config: { permission: { resource: 'documents', action: 'read', organization: 'path' } } }, ok)
  app.delete('/v1/organizations/:organizationId/documents', { config: { permission: { resource: 'documents', action: 'delete', organization: 'path' } } }, ok)
  app.post('/v1/documents', {
    config: { permission: [{ resource: 'documents', action: 'read', organization: 'session' }, { resource: 'documents', action: 'write', organization: 'session' }] }
  }, ok)
  app.get('/v1/organizations/:organizationId/about', { config: { public: true } }, ok)
}

const as = (roles: string) => ({ 'x-test-roles': roles })

t.test('a declared permission is allowed by a role that grants it, in the organization of the path (id or slug)', async (t) => {
  const { app, stytch } = await build(t)
  const byId = await app.inject({ url: `/v1/organizations/${ORG.organization_id}/documents`, headers: as('stytch_member,viewer') })
  t.equal(byId.statusCode, 200)
  const bySlug = await app.inject({ url: '/v1/organizations/acme/documents', headers: as('stytch_member,viewer') })
  t.equal(bySlug.statusCode, 200, 'the slug names the same organization')
  const wildcard = await app.inject({ method: 'DELETE', url: '/v1/organizations/acme/documents', headers: as('admin') })
  t.equal(wildcard.statusCode, 200, '`*` grants every action')
  t.same(stytch.calls, { policy: 1, orgPolicy: 1 }, 'the policy is loaded once and then checked locally')
})

t.test('a permission no role of the session grants is a 403 permission_denied, decided locally', async (t) => {
  const { app, stytch } = await build(t)
  await app.inject({ url: '/v1/organizations/acme/documents', headers: as('viewer') })
  const denied = await app.inject({ method: 'DELETE', url: '/v1/organizations/acme/documents', headers: as('stytch_member,viewer,editor') })
  t.equal(denied.statusCode, 403)
  t.equal(errorCode(denied), 'permission_denied')
  t.match(denied.json().message, /delete documents/)

  const unknownRole = await app.inject({ url: '/v1/organizations/acme/documents', headers: as('stytch_member') })
  t.equal(unknownRole.statusCode, 403, 'a session role the policy does not grant it to')

  const notAll = await app.inject({ method: 'POST', url: '/v1/documents', headers: as('viewer') })
  t.equal(notAll.statusCode, 403, 'several permissions: every one is needed')
  t.match(notAll.json().message, /write documents/)
  const all = await app.inject({ method: 'POST', url: '/v1/documents', headers: as('editor') })
  t.equal(all.statusCode, 200)
  t.same(stytch.calls, { policy: 1, orgPolicy: 1 }, 'denies cost no Stytch call once the policy is loaded')
})

t.test('another organization in the path is a 403, before the policy is even needed', async (t) => {
  const { app, stytch } = await build(t)
  const other = await app.inject({ url: '/v1/organizations/organization-test-2/documents', headers: as('admin') })
  t.equal(other.statusCode, 403)
  t.equal(errorCode(other), 'permission_denied')
  t.match(other.json().message, /another organization/)
  t.same(stytch.calls, { policy: 0, orgPolicy: 0 }, 'no Stytch call')
})

t.test('routes without a permission are not checked; a permission route the auth plugin left unauthenticated is a 401', async (t) => {
  const { app, stytch } = await build(t)
  const open = await app.inject({ url: '/v1/organizations/organization-test-2/about' })
  t.equal(open.statusCode, 200)
  const anonymous = await app.inject({ url: '/v1/organizations/acme/documents' })
  t.equal(anonymous.statusCode, 401)
  t.equal(errorCode(anonymous), 'missing_credentials')
  t.same(stytch.calls, { policy: 0, orgPolicy: 0 })
})

t.test('Stytch unreachable while the policy was never loaded: 503, and the next request loads it', async (t) => {
  const { app, stytch } = await build(t)
  stytch.down = true
  const outage = await app.inject({ url: '/v1/organizations/acme/documents', headers: as('viewer') })
  t.equal(outage.statusCode, 503, 'never a 403: nothing was decided')
  t.equal(errorCode(outage), 'identity_provider_unavailable')

  stytch.down = false
  const back = await app.inject({ url: '/v1/organizations/acme/documents', headers: as('viewer') })
  t.equal(back.statusCode, 200)
})

t.test("organization: 'path' on a route without :organizationId fails at start-up", async (t) => {
  const { app } = await build(t, (app) => {
    app.get('/v1/documents/:documentId', { config: { permission: { resource: 'documents', action: 'read', organization: 'path' } } }, async () => ({}))
  })
  await t.rejects(async () => { await app.ready() }, /route \/v1\/documents\/:documentId: permission.organization 'path' needs an :organizationId parameter/)
})
