// Session JWTs and the JWKS (reference §3 row 8, §6.7, §7): layout, local verification without calling the
// emulator, the hybrid path, revocation vs. local validity, and key rotation.
import t from 'tap'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import {
  callCount, control, JWKS_ROUTE, login, newClient, readCalls, rejectsClient, rejectsStytch, resetCalls,
  RFC3339, SESSIONS_AUTHENTICATE, setClockOffset, startHarness
} from './helper.js'

const SESSION_CLAIM = 'https://stytch.com/session'
const ORG_CLAIM = 'https://stytch.com/organization'

t.test('the JWKS is served without auth and lists RS256 signing keys', async (t) => {
  const h = await startHarness(t)
  const res = await fetch(new URL(`/v1/b2b/sessions/jwks/${h.emu.projectId}`, h.emu.url))
  t.equal(res.status, 200, 'exactly 200 without an Authorization header (jose requires it)')
  const body = await res.json() as { keys: Array<Record<string, unknown>>, status_code: number, request_id: string }
  t.equal(body.status_code, 200)
  t.match(body.request_id, /\S/)
  t.ok(body.keys.length >= 1, 'at least one key')
  for (const key of body.keys) {
    t.match(key, { kty: 'RSA', use: 'sig', alg: 'RS256', kid: /\S/, n: /^[\w-]+$/, e: 'AQAB', key_ops: ['verify'] }, `key ${String(key.kid)}`)
    t.notOk('d' in key, 'no private key material')
  }
  const viaSdk = await h.client.sessions.getJWKS({ project_id: h.emu.projectId })
  t.equal(viaSdk.status_code, 200)
  t.same(viaSdk.keys.map((k) => k.kid), body.keys.map((k) => k.kid), 'sessions.getJWKS returns the same keys')
  await rejectsStytch(t, h.client.sessions.getJWKS({ project_id: 'project-test-11111111-1111-4111-8111-111111111111' }),
    { status_code: [400, 401, 404], error_type: /\S/ }, 'JWKS of another project')
})

t.test('the session JWT has the exact layout of §7.1', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'editor@acme.test', 'acme', { session_custom_claims: { tenant_tier: 'gold', flags: { beta: true } } })
  const jwks = (await h.client.sessions.getJWKS({ project_id: h.emu.projectId })).keys
  const header = decodeProtectedHeader(session.session_jwt)
  t.same(Object.keys(header).sort(), ['alg', 'kid', 'typ'])
  t.equal(header.typ, 'JWT')
  t.equal(header.alg, 'RS256')
  t.ok(jwks.some((k) => k.kid === header.kid), 'kid is listed in the JWKS')

  const claims = decodeJwt(session.session_jwt)
  t.equal(claims.sub, session.member_id)
  t.equal(claims.iss, `stytch.com/${h.emu.projectId}`)
  t.same(claims.aud, [h.emu.projectId], 'aud is an array holding the project id')
  t.type(claims.iat, 'number')
  t.type(claims.nbf, 'number')
  t.equal((claims.exp ?? 0) - (claims.iat ?? 0), 300, 'JWTs live 5 minutes')
  t.ok(Math.abs((claims.iat ?? 0) * 1000 - Date.now()) < 10_000, 'iat is now')
  const ms = session.member_session
  if (ms === undefined) throw new Error('member_session missing')
  t.match(claims[SESSION_CLAIM], {
    id: ms.member_session_id,
    started_at: RFC3339,
    last_accessed_at: RFC3339,
    expires_at: RFC3339,
    authentication_factors: [{ type: 'magic_link', delivery_method: 'email', email_factor: { email_address: 'editor@acme.test' } }]
  })
  const sessionClaim = claims[SESSION_CLAIM] as { roles: string[], expires_at: string }
  t.same([...sessionClaim.roles].sort(), ['editor', 'stytch_member'], 'roles in the session claim')
  t.equal(Date.parse(sessionClaim.expires_at), Date.parse(ms.expires_at), 'session expiry, not JWT expiry')
  t.same(claims[ORG_CLAIM], { organization_id: session.organization_id, slug: 'acme' })
  t.equal(claims.tenant_tier, 'gold', 'custom claims are top-level')
  t.same(claims.flags, { beta: true })

  const verified = await jwtVerify(session.session_jwt, createLocalJWKSet({ keys: jwks } as unknown as JSONWebKeySet), {
    issuer: `stytch.com/${h.emu.projectId}`, audience: h.emu.projectId, typ: 'JWT', algorithms: ['RS256']
  })
  t.equal(verified.payload.sub, session.member_id, 'signature verifies against the JWKS')
})

t.test('authenticateJwtLocal verifies with no sessions/authenticate call', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test', 'acme', { session_custom_claims: { tenant_tier: 'silver' } })
  const client = newClient(t, h.emu)
  await resetCalls(h.emu)
  const local = await client.sessions.authenticateJwtLocal({ session_jwt: session.session_jwt })
  const ms = session.member_session
  if (ms === undefined) throw new Error('member_session missing')
  t.match(local, {
    member_session_id: ms.member_session_id,
    member_id: session.member_id,
    organization_id: session.organization_id,
    organization_slug: 'acme',
    started_at: ms.started_at,
    last_accessed_at: ms.last_accessed_at
  })
  t.equal(Date.parse(local.expires_at), Date.parse(ms.expires_at), 'expires_at from the session claim')
  t.same([...local.roles].sort(), ['stytch_member', 'viewer'])
  t.same(local.custom_claims, { tenant_tier: 'silver' }, 'no other top-level claims leak into custom_claims')

  const hybrid = await client.sessions.authenticateJwt({ session_jwt: session.session_jwt })
  t.equal(hybrid.session_jwt, session.session_jwt, 'hybrid local success returns the input JWT')
  t.equal(hybrid.member_session.member_session_id, ms.member_session_id)

  const calls = await readCalls(h.emu)
  t.equal(callCount(calls, SESSIONS_AUTHENTICATE), 0, 'no POST /v1/b2b/sessions/authenticate')
  t.equal(callCount(calls, JWKS_ROUTE), 1, 'one JWKS download, then cached')
  t.equal(calls.total, 1, 'nothing else was called')
})

t.test('expired or too-old JWTs fail locally; authenticateJwt falls back to the API', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'editor@acme.test')
  const exp = decodeJwt(session.session_jwt).exp ?? 0
  await rejectsClient(t, h.client.sessions.authenticateJwtLocal({ session_jwt: session.session_jwt, current_date: new Date((exp + 1) * 1000) }),
    'jwt_invalid', 'past exp')
  await rejectsClient(t, h.client.sessions.authenticateJwtLocal({ session_jwt: session.session_jwt, max_token_age_seconds: 0 }),
    'jwt_too_old', 'max_token_age_seconds 0')
  const [header, payload] = session.session_jwt.split('.')
  await rejectsClient(t, h.client.sessions.authenticateJwtLocal({ session_jwt: `${header}.${payload}.AAAA` }), 'jwt_invalid', 'bad signature')

  // A JWT minted in the (emulated) past is expired by exp, yet its session is alive: the API accepts it.
  await setClockOffset(h.emu, -400)
  const old = await h.client.sessions.authenticate({ session_token: session.session_token })
  await setClockOffset(h.emu, 0)
  t.ok((decodeJwt(old.session_jwt).exp ?? 0) * 1000 < Date.now(), 'the minted JWT is already expired')
  await rejectsClient(t, h.client.sessions.authenticateJwtLocal({ session_jwt: old.session_jwt }), 'jwt_invalid', 'expired JWT')
  await resetCalls(h.emu)
  const fallback = await h.client.sessions.authenticateJwt({ session_jwt: old.session_jwt })
  t.equal(callCount(await readCalls(h.emu), SESSIONS_AUTHENTICATE), 1, 'fell back to sessions/authenticate')
  t.not(fallback.session_jwt, old.session_jwt, 'a fresh JWT came back')
  t.ok((decodeJwt(fallback.session_jwt).exp ?? 0) * 1000 > Date.now(), 'and it is valid')

  await resetCalls(h.emu)
  await h.client.sessions.authenticateJwt({ session_jwt: fallback.session_jwt, max_token_age_seconds: 0 })
  t.equal(callCount(await readCalls(h.emu), SESSIONS_AUTHENTICATE), 1, 'max_token_age_seconds 0 forces the remote call')
})

t.test('a revoked session fails sessions.authenticate while its JWT verifies locally until exp', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  await h.client.sessions.revoke({ session_token: session.session_token })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_jwt: session.session_jwt }),
    { status_code: 404, error_type: 'session_not_found' }, 'remote by JWT')
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token }),
    { status_code: 404, error_type: 'session_not_found' }, 'remote by token')
  const local = await h.client.sessions.authenticateJwtLocal({ session_jwt: session.session_jwt })
  t.equal(local.member_session_id, session.member_session?.member_session_id, 'still valid locally (documented Stytch behaviour)')
  const exp = decodeJwt(session.session_jwt).exp ?? 0
  const nearEnd = await h.client.sessions.authenticateJwtLocal({ session_jwt: session.session_jwt, current_date: new Date((exp - 1) * 1000) })
  t.equal(nearEnd.member_id, session.member_id, 'valid up to exp')
  await rejectsClient(t, h.client.sessions.authenticateJwtLocal({ session_jwt: session.session_jwt, current_date: new Date((exp + 1) * 1000) }),
    'jwt_invalid', 'not after exp')
  await rejectsStytch(t, h.client.sessions.authenticateJwt({ session_jwt: session.session_jwt, max_token_age_seconds: 0 }),
    { status_code: 404, error_type: 'session_not_found' }, 'hybrid forced remote')
})

t.test('key rotation: old JWTs stay valid while the old key is listed; new JWTs use the new kid', async (t) => {
  const h = await startHarness(t)
  const before = await login(h, 'editor@acme.test')
  const oldKid = decodeProtectedHeader(before.session_jwt).kid
  const rotated = await control<{ kid: string, previous_kids: string[] }>(h.emu, 'POST', '/emulator/keys/rotate')
  t.equal(rotated.status, 200)
  t.match(rotated.body.kid, /^jwk-test-/)
  t.not(rotated.body.kid, oldKid, 'a fresh kid')
  t.ok(rotated.body.previous_kids.includes(oldKid ?? ''), 'the old kid is kept')
  const kids = (await h.client.sessions.getJWKS({ project_id: h.emu.projectId })).keys.map((k) => k.kid)
  t.ok(kids.includes(rotated.body.kid) && kids.includes(oldKid ?? ''), 'the JWKS lists both keys')

  const after = await login(h, 'viewer@acme.test')
  t.equal(decodeProtectedHeader(after.session_jwt).kid, rotated.body.kid, 'new logins use the new key')
  const reminted = await h.client.sessions.authenticate({ session_token: before.session_token })
  t.equal(decodeProtectedHeader(reminted.session_jwt).kid, rotated.body.kid, 're-minted JWTs use the new key')

  const fresh = newClient(t, h.emu) // jose caches the JWKS per client
  t.equal((await fresh.sessions.authenticateJwtLocal({ session_jwt: before.session_jwt })).member_id, before.member_id, 'old JWT verifies')
  t.equal((await fresh.sessions.authenticateJwtLocal({ session_jwt: after.session_jwt })).member_id, after.member_id, 'new JWT verifies')

  const removed = await control(h.emu, 'DELETE', `/emulator/keys/${encodeURIComponent(oldKid ?? '')}`)
  t.equal(removed.status, 200, 'a non-current key can be removed')
  const kidsNow = (await h.client.sessions.getJWKS({ project_id: h.emu.projectId })).keys.map((k) => k.kid)
  t.same(kidsNow, [rotated.body.kid], 'only the current key is listed')
  const later = newClient(t, h.emu)
  await rejectsClient(t, later.sessions.authenticateJwtLocal({ session_jwt: before.session_jwt }), 'jwt_invalid', 'old JWT after its key is gone')
  t.equal((await later.sessions.authenticateJwtLocal({ session_jwt: after.session_jwt })).member_id, after.member_id)
  const current = await control(h.emu, 'DELETE', `/emulator/keys/${encodeURIComponent(rotated.body.kid)}`)
  t.ok(current.status >= 400, 'the current key cannot be removed')
})

t.test('jwt_lifetime_seconds and the clock offset shape minted JWTs', async (t) => {
  const h = await startHarness(t, { jwtLifetimeSeconds: 120 })
  const first = await login(h, 'viewer@acme.test')
  const claims = decodeJwt(first.session_jwt)
  t.equal((claims.exp ?? 0) - (claims.iat ?? 0), 120, 'jwtLifetimeSeconds option')
  const config = await control(h.emu, 'POST', '/emulator/config', { jwt_lifetime_seconds: 60, clock_offset_seconds: 1800 })
  t.equal(config.status, 200)
  t.match(config.body, { jwt_lifetime_seconds: 60, clock_offset_seconds: 1800 }, 'returns the current config')
  const second = await h.client.sessions.authenticate({ session_token: first.session_token })
  const later = decodeJwt(second.session_jwt)
  t.equal((later.exp ?? 0) - (later.iat ?? 0), 60, 'runtime jwt_lifetime_seconds')
  t.ok(Math.abs((later.iat ?? 0) * 1000 - (Date.now() + 1800_000)) < 10_000, 'iat follows the emulator clock')
})
