import cookie from '@fastify/cookie'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import t, { type Test } from 'tap'
import auth from '../../plugins/app/auth.js'
import type { ProvenSession, SessionService } from '../../plugins/app/sessions.js'
import { cookieNames } from '../../src/auth/cookies.js'
import type { Credentials } from '../../src/auth/credentials.js'
import { ORGANIZATION_CLAIM, SESSION_CLAIM, type SessionContext } from '../../src/auth/session-context.js'
import type { SessionCredential } from '../../src/auth/session-refresher.js'
import { SessionRevokedError, UpstreamUnavailableError } from '../../src/errors.js'
import { createMemoryRevocationStore, type RevocationStore } from '../../src/revocation/store.js'
import type { JwksCache } from '../../src/stytch/jwks.js'
import { bareApp, errorCode, fakePlugin, pluginConfig, PROJECT_ID } from './helper.js'

const KID = 'jwk-test-1'
const SESSION_ID = 'session-test-1'
const MEMBER_ID = 'member-test-1'
const ORG = { organization_id: 'organization-test-1', organization_slug: 'acme' }
/** Stytch session tokens are opaque URL-safe strings of ~44 characters. */
const SESSION_TOKEN = 'session-token-test-0123456789abcdefghijklmnop'
const config = pluginConfig()
const names = cookieNames(config)

const keys = await generateKeyPair('RS256')
/** Same kid, another key: a forged signature. */
const forger = await generateKeyPair('RS256')

/**
 * A session JWT laid out like Stytch's (src/auth/session-context.ts reads it): the two Stytch
 * claims, project issuer and audience, `typ: JWT`, RS256 with a kid. Times in seconds from now.
 */
async function sessionJwt ({ issuedAt = 0, expiresIn = 300, key = keys.privateKey, kid = KID }: { issuedAt?: number, expiresIn?: number, key?: CryptoKey, kid?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const started = new Date(Date.now() - 60_000).toISOString()
  return await new SignJWT({
    [SESSION_CLAIM]: {
      id: SESSION_ID,
      started_at: started,
      last_accessed_at: started,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      authentication_factors: [{ type: 'magic_link', delivery_method: 'email', last_authenticated_at: started, email_factor: { email_address: 'editor@acme.test' } }],
      roles: ['stytch_member', 'editor']
    },
    [ORGANIZATION_CLAIM]: { organization_id: ORG.organization_id, slug: ORG.organization_slug }
  })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setSubject(MEMBER_ID)
    .setIssuer(`stytch.com/${PROJECT_ID}`)
    .setAudience([PROJECT_ID])
    .setIssuedAt(now + issuedAt)
    .setNotBefore(now + issuedAt)
    .setExpirationTime(now + issuedAt + expiresIn)
    .sign(key)
}

/** What Stytch vouches for on the slow path (the fake session service answers with it). */
function proven (jwt = 'fresh.session.jwt'): ProvenSession {
  const now = new Date().toISOString()
  const context: SessionContext = {
    startedAtMs: Date.now() - 60_000,
    member: { member_id: MEMBER_ID, organization_id: ORG.organization_id, email_address: 'editor@acme.test', roles: ['stytch_member', 'editor'] },
    organization: ORG,
    session: { member_session_id: SESSION_ID, started_at: now, last_accessed_at: now, expires_at: now, roles: ['stytch_member', 'editor'], authentication_factors: [], custom_claims: {} }
  }
  return { context, jwt, expiresAt: now }
}

/** Stand-in for plugins/app/stytch.ts: only the signing keys the verifier reads (no network). */
const fakeStytch = fakePlugin('stytch', async (fastify) => {
  const jwks: JwksCache = {
    has: (kid) => kid === KID,
    lookup: (kid) => (kid === KID ? { status: 'found', key: keys.publicKey } : { status: 'absent' }),
    refresh: async () => {},
    loaded: true
  }
  fastify.decorate('stytch', { jwks } as unknown as FastifyInstance['stytch'])
})

/**
 * Stand-in for plugins/app/sessions.ts, the session service: the slow path answers what the test
 * says (`answer`), and every call, cookie clearing and delivery is recorded. Cookies are cleared
 * and the fresh JWT delivered for real, so the responses show them.
 */
function fakeSessions () {
  const record = {
    answer: async (_credential: SessionCredential): Promise<ProvenSession> => proven(),
    calls: [] as SessionCredential[],
    cleared: 0,
    delivered: [] as Array<{ via: Credentials['via'], jwt: string }>
  }
  const plugin = fakePlugin('sessions', async (fastify) => {
    fastify.decorate('sessions', {
      names,
      async authenticate (credential: SessionCredential) {
        record.calls.push(credential)
        return await record.answer(credential)
      },
      clearCookies (reply: FastifyReply) {
        record.cleared++
        void reply.clearCookie(names.session, { path: '/' })
        void reply.clearCookie(names.jwt, { path: '/' })
      },
      deliver (reply: FastifyReply, credentials: Credentials, session: ProvenSession) {
        record.delivered.push({ via: credentials.via, jwt: session.jwt })
        void reply.header('x-session-jwt', session.jwt)
      }
    } as unknown as SessionService)
  })
  return { record, plugin }
}

/** A revocation list the test can also mark unhealthy (Redis unreachable). */
function fakeRevocations () {
  const store = createMemoryRevocationStore()
  const revocations = {
    healthy: true,
    isRevoked: (id: string) => store.isRevoked(id),
    revoke: async (id: string, untilMs: number) => { await store.revoke(id, untilMs) }
  }
  const plugin = fakePlugin('revocation', async (fastify) => {
    fastify.decorate('revocations', revocations as unknown as RevocationStore)
  })
  return { revocations, plugin }
}

function routes (app: FastifyInstance): void {
  const whoami = async (request: { member: { member_id: string } | null, session: { member_session_id: string } | null, credentials: Credentials | null }) =>
    ({ member_id: request.member?.member_id ?? null, session_id: request.session?.member_session_id ?? null, via: request.credentials?.via ?? null })
  app.get('/v1/me', { config: { auth: true } }, whoami)
  app.post('/v1/me', { config: { auth: true } }, whoami)
  app.get('/v1/documents', { config: { permission: { resource: 'documents', action: 'read', organization: 'session' } } }, whoami)
  app.get('/v1/open', { config: { public: true } }, whoami)
  app.get('/health', whoami)
}

/** auth on a bare Fastify with @fastify/cookie and the fakes; `declare` adds the routes (not awaited, so a refused route fails ready()). */
async function build (t: Test, declare: (app: FastifyInstance) => void = routes) {
  const app = bareApp(t, config)
  const sessions = fakeSessions()
  const revocation = fakeRevocations()
  await app.register(cookie)
  await app.register(fakeStytch)
  await app.register(revocation.plugin)
  await app.register(sessions.plugin)
  await app.register(auth)
  void app.register(async (scope) => { declare(scope) })
  return { app, sessions: sessions.record, revocations: revocation.revocations }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const clearedCookies = (response: { cookies: Array<{ name: string, value: string }> }): string[] =>
  response.cookies.filter((c) => c.value === '').map((c) => c.name).sort()

t.test('a route that declares a permission is authenticated: the permission implies auth', async (t) => {
  const { app } = await build(t)
  const anonymous = await app.inject('/v1/documents')
  t.equal(anonymous.statusCode, 401)
  t.equal(errorCode(anonymous), 'missing_credentials')

  const member = await app.inject({ url: '/v1/documents', headers: bearer(await sessionJwt()) })
  t.equal(member.statusCode, 200)
  t.same(member.json(), { member_id: MEMBER_ID, session_id: SESSION_ID, via: 'bearer' })

  t.same((await app.inject('/v1/open')).json(), { member_id: null, session_id: null, via: null }, 'config.public: not authenticated')
  t.equal((await app.inject('/health')).statusCode, 200, 'outside /v1 nothing has to be declared')
})

t.test('a /v1 route that declares none of auth, permission or public fails at start-up', async (t) => {
  const { app } = await build(t, (app) => { app.get('/v1/forgotten', async () => ({})) })
  await t.rejects(async () => { await app.ready() }, /route GET \/v1\/forgotten must declare config.auth, config.permission or config.public/)
})

t.test('fast path: a valid session JWT is accepted locally, by bearer or cookie', async (t) => {
  const { app, sessions } = await build(t)
  const jwt = await sessionJwt()
  const viaBearer = await app.inject({ url: '/v1/me', headers: bearer(jwt) })
  t.equal(viaBearer.statusCode, 200)
  t.same(viaBearer.json(), { member_id: MEMBER_ID, session_id: SESSION_ID, via: 'bearer' })
  const viaCookie = await app.inject({ url: '/v1/me', cookies: { [names.jwt]: jwt, [names.session]: SESSION_TOKEN } })
  t.equal(viaCookie.statusCode, 200)
  t.equal(viaCookie.json().via, 'cookie')
  t.same(sessions.calls, [], 'no call to the session service (Stytch)')
  t.same(sessions.delivered, [], 'nothing to deliver')
})

t.test('a revoked session is a 401 session_revoked even with a valid JWT; a cookie client loses its cookies', async (t) => {
  const { app, sessions, revocations } = await build(t)
  await revocations.revoke(SESSION_ID, Date.now() + 60_000)
  const jwt = await sessionJwt()
  const viaBearer = await app.inject({ url: '/v1/me', headers: bearer(jwt) })
  t.equal(viaBearer.statusCode, 401)
  t.equal(errorCode(viaBearer), 'session_revoked')
  const viaCookie = await app.inject({ url: '/v1/me', cookies: { [names.jwt]: jwt } })
  t.equal(errorCode(viaCookie), 'session_revoked')
  t.same(clearedCookies(viaCookie), [names.jwt, names.session].sort())
  t.same(sessions.calls, [], 'decided locally')
})

t.test('an expired JWT with a session token takes the slow path through the session service', async (t) => {
  const { app, sessions } = await build(t)
  const expired = await sessionJwt({ issuedAt: -900, expiresIn: 300 })
  const response = await app.inject({ url: '/v1/me', cookies: { [names.jwt]: expired, [names.session]: SESSION_TOKEN } })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { member_id: MEMBER_ID, session_id: SESSION_ID, via: 'cookie' })
  t.same(sessions.calls, [{ session_token: SESSION_TOKEN }], 'one remote authenticate, with the session token')
  t.same(sessions.delivered, [{ via: 'cookie', jwt: 'fresh.session.jwt' }], 'the fresh JWT goes back to the client')

  const alone = await app.inject({ url: '/v1/me', headers: bearer(expired) })
  t.equal(alone.statusCode, 401, 'without a session token an expired JWT is the end')
  t.equal(errorCode(alone), 'session_expired')

  const forged = await sessionJwt({ key: forger.privateKey })
  const junk = await app.inject({ url: '/v1/me', cookies: { [names.jwt]: forged, [names.session]: SESSION_TOKEN } })
  t.equal(errorCode(junk), 'invalid_credentials', 'a bad signature is rejected locally, token or not')
  t.equal(sessions.calls.length, 1, 'neither cost a Stytch call')
})

t.test('while the revocation list is unhealthy a valid JWT is checked with Stytch (fail closed)', async (t) => {
  const { app, sessions, revocations } = await build(t)
  revocations.healthy = false
  const jwt = await sessionJwt()
  const response = await app.inject({ url: '/v1/me', headers: bearer(jwt) })
  t.equal(response.statusCode, 200)
  t.same(sessions.calls, [{ session_jwt: jwt }], 'the JWT itself, as there is no session token')
  t.equal(response.headers['x-session-jwt'], 'fresh.session.jwt')
})

t.test('a cookie client on an unsafe method must send an allowed Origin; bearer clients are exempt', async (t) => {
  const { app, sessions } = await build(t)
  const jwt = await sessionJwt()
  const cookies = { [names.jwt]: jwt }
  const noOrigin = await app.inject({ method: 'POST', url: '/v1/me', cookies })
  t.equal(noOrigin.statusCode, 403)
  t.equal(errorCode(noOrigin), 'origin_not_allowed')
  const foreign = await app.inject({ method: 'POST', url: '/v1/me', cookies, headers: { origin: 'https://evil.test' } })
  t.equal(errorCode(foreign), 'origin_not_allowed')

  t.equal((await app.inject({ method: 'POST', url: '/v1/me', cookies, headers: { origin: 'http://spa.test:5173' } })).statusCode, 200, 'the SPA origin (CORS_ORIGINS)')
  t.equal((await app.inject({ method: 'POST', url: '/v1/me', cookies, headers: { origin: 'http://api.test:3000' } })).statusCode, 200, 'the API\'s own origin (PUBLIC_URL)')
  t.equal((await app.inject({ method: 'POST', url: '/v1/me', cookies, headers: { 'sec-fetch-site': 'same-origin' } })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', cookies })).statusCode, 200, 'safe methods need no Origin')
  t.equal((await app.inject({ method: 'POST', url: '/v1/me', headers: bearer(jwt) })).statusCode, 200, 'bearer: no Origin needed')
  t.same(sessions.calls, [])
})

t.test('slow path: a 401 from Stytch clears the cookies, an outage (503) keeps them', async (t) => {
  const { app, sessions } = await build(t)
  const cookies = { [names.session]: SESSION_TOKEN }

  sessions.answer = async () => { throw new SessionRevokedError() }
  const revoked = await app.inject({ url: '/v1/me', cookies })
  t.equal(revoked.statusCode, 401)
  t.equal(errorCode(revoked), 'session_revoked')
  t.same(clearedCookies(revoked), [names.jwt, names.session].sort(), 'the browser\'s session ends')

  sessions.answer = async () => { throw new UpstreamUnavailableError() }
  const outage = await app.inject({ url: '/v1/me', cookies })
  t.equal(outage.statusCode, 503)
  t.equal(errorCode(outage), 'identity_provider_unavailable')
  t.same(outage.cookies, [], 'a live session is not thrown away because Stytch was unreachable')

  t.same(sessions.calls, [{ session_token: SESSION_TOKEN }, { session_token: SESSION_TOKEN }])
  t.equal(sessions.cleared, 1)
})
