import { createPublicKey } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, exportSPKI, SignJWT, type JWTPayload } from 'jose'
import t, { type Test } from 'tap'
import { AUTHENTICATE, buildApp, emulatorCalls, emulatorPost, loginForCookies, loginForTokens, type TestApp } from '../helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Re-signs a real session JWT's claims with the emulator's own private key, after `change`. */
async function forge (ctx: TestApp, jwt: string, change: (payload: JWTPayload) => JWTPayload): Promise<string> {
  const key = ctx.emulator.state.keys.current
  return await new SignJWT(change(decodeJwt(jwt))).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey)
}

/** Asserts a 401 with `code` and that the emulator saw no session authentication at all. */
async function rejectedLocally (t: Test, ctx: TestApp, headers: Record<string, string>, code: string, label: string) {
  const before = await emulatorCalls(ctx.emulator)
  const response = await ctx.app.inject({ url: '/v1/me', headers })
  t.equal(response.statusCode, 401, `${label}: 401`)
  t.equal(response.json().code, code, `${label}: code ${code}`)
  t.same(await emulatorCalls(ctx.emulator), before, `${label}: no Stytch call`)
}

t.test('bearer JWT and cookies authenticate the same routes, locally', async (t) => {
  const ctx = await buildApp(t)
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'editor@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const viaBearer = await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_jwt) })
  const viaCookie = await ctx.app.inject({ url: '/v1/me', cookies })
  t.equal(viaBearer.statusCode, 200)
  t.equal(viaCookie.statusCode, 200)
  t.equal(viaBearer.json().member.member_id, viaCookie.json().member.member_id)
  t.equal(viaBearer.json().session.member_session_id, tokens.session.member_session_id)
  t.same(viaBearer.json().member.roles, ['stytch_member', 'editor'])
  t.equal((await emulatorCalls(ctx.emulator))[AUTHENTICATE] ?? 0, 0, 'fast path: no sessions/authenticate')
})

t.test('a bearer session token takes the slow path and returns a fresh JWT in X-Session-JWT', async (t) => {
  const ctx = await buildApp(t)
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const response = await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_token) })
  t.equal(response.statusCode, 200)
  const fresh = response.headers['x-session-jwt'] as string
  t.match(fresh, /^ey/)
  const again = await ctx.app.inject({ url: '/v1/me', headers: bearer(fresh) })
  t.equal(again.statusCode, 200)
  t.equal(again.json().session.member_session_id, tokens.session.member_session_id)
})

t.test('forged, tampered and malformed JWTs are rejected with zero Stytch calls', async (t) => {
  const ctx = await buildApp(t)
  const { session_jwt: jwt, session_token: sessionToken } = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const [header, payload, signature] = jwt.split('.') as [string, string, string]
  const claims = decodeJwt(jwt)

  const tamperedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'member-test-someone-else' })).toString('base64url')
  await rejectedLocally(t, ctx, bearer(`${header}.${tamperedPayload}.${signature}`), 'invalid_credentials', 'tampered payload')
  const flipped = signature.slice(0, -4) + (signature.endsWith('AAAA') ? 'BBBB' : 'AAAA')
  await rejectedLocally(t, ctx, bearer(`${header}.${payload}.${flipped}`), 'invalid_credentials', 'tampered signature')

  await rejectedLocally(t, ctx, bearer(await forge(ctx, jwt, (p) => ({ ...p, iss: 'stytch.com/project-test-other' }))), 'invalid_credentials', 'wrong issuer')
  await rejectedLocally(t, ctx, bearer(await forge(ctx, jwt, (p) => ({ ...p, aud: ['project-test-other'] }))), 'invalid_credentials', 'wrong audience')
  await rejectedLocally(t, ctx, bearer(await forge(ctx, jwt, (p) => ({ ...p, exp: Math.floor(Date.now() / 1000) - 60 }))), 'session_expired', 'expired, no session token')
  await rejectedLocally(t, ctx, bearer(await forge(ctx, jwt, (p) => ({ ...p, nbf: Math.floor(Date.now() / 1000) + 600 }))), 'invalid_credentials', 'not yet valid')
  const { 'https://stytch.com/organization': _org, ...withoutOrg } = claims
  await rejectedLocally(t, ctx, bearer(await forge(ctx, jwt, () => withoutOrg)), 'invalid_credentials', 'missing organization claim')

  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: decodeProtectedHeader(jwt).kid })).toString('base64url')}.${payload}.`
  await rejectedLocally(t, ctx, bearer(none), 'invalid_credentials', 'alg none')

  // The classic confusion attack: HMAC-sign with the RSA public key (PEM) as the secret.
  const pem = await exportSPKI(createPublicKey({ key: ctx.emulator.state.keys.current.publicJwk as never, format: 'jwk' }) as never)
  const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: decodeProtectedHeader(jwt).kid as string, typ: 'JWT' }).sign(new TextEncoder().encode(pem))
  await rejectedLocally(t, ctx, bearer(hs256), 'invalid_credentials', 'HS256 with the public key')

  const noTyp = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: ctx.emulator.state.keys.current.kid }).sign(ctx.emulator.state.keys.current.privateKey)
  await rejectedLocally(t, ctx, bearer(noTyp), 'invalid_credentials', 'missing typ')

  await rejectedLocally(t, ctx, bearer('not-a-token!'), 'invalid_credentials', 'garbage bearer')
  await rejectedLocally(t, ctx, { authorization: 'Basic abc' }, 'invalid_credentials', 'wrong scheme')
  await rejectedLocally(t, ctx, {}, 'missing_credentials', 'no credentials')

  // A forged JWT next to a valid session token is still refused without asking Stytch.
  const before = await emulatorCalls(ctx.emulator)
  const cookieNames = { stytch_session: sessionToken, stytch_session_jwt: `${header}.${tamperedPayload}.${signature}` }
  const response = await ctx.app.inject({ url: '/v1/me', cookies: cookieNames })
  t.equal(response.statusCode, 401)
  t.same(await emulatorCalls(ctx.emulator), before, 'forged cookie JWT + valid token: no Stytch call')
})

t.test('20 concurrent requests with an expired JWT share one sessions.authenticate', async (t) => {
  const ctx = await buildApp(t)
  // Log in ten minutes in the past: the JWT (5 min) has expired, the session (7 days) has not.
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: -600 })
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'editor@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 0 })
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const responses = await Promise.all(Array.from({ length: 20 }, async () => await ctx.app.inject({ url: '/v1/me', cookies })))
  t.same(responses.map((r) => r.statusCode), Array(20).fill(200))
  t.equal((await emulatorCalls(ctx.emulator))[AUTHENTICATE], 1, 'exactly one upstream call')
  const refreshed = responses[0]?.cookies.find((c) => c.name === 'stytch_session_jwt')
  t.ok(refreshed, 'the fresh JWT is set as a cookie')
  t.not(refreshed?.value, cookies.stytch_session_jwt)
  const next = await ctx.app.inject({ url: '/v1/me', cookies: { ...cookies, stytch_session_jwt: refreshed?.value as string } })
  t.equal(next.statusCode, 200)
  t.equal((await emulatorCalls(ctx.emulator))[AUTHENTICATE], 1, 'the fresh JWT is verified locally')
})

t.test('logout revokes at once: the same JWT and token are refused right after', async (t) => {
  const ctx = await buildApp(t)
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'admin@acme.test')
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const logout = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies, headers: { origin: 'http://spa.test:5173' } })
  t.equal(logout.statusCode, 204)
  t.same(logout.cookies.map((c) => [c.name, c.value]).sort(), [['stytch_session', ''], ['stytch_session_jwt', '']], 'cookies cleared')
  const reuse = await ctx.app.inject({ url: '/v1/me', cookies })
  t.equal(reuse.statusCode, 401)
  t.equal(reuse.json().code, 'session_revoked')
  const tokenOnly = await ctx.app.inject({ url: '/v1/me', headers: bearer(cookies.stytch_session as string) })
  t.equal(tokenOnly.statusCode, 401, 'the session token is dead at Stytch too')

  t.equal((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(tokens.session_jwt) })).statusCode, 204, 'bearer logout needs no Origin')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_jwt) })).json().code, 'session_revoked')
})

t.test('Stytch down: the slow path answers 503 and keeps cookies; valid JWTs keep working', async (t) => {
  const ctx = await buildApp(t, { env: { STYTCH_TIMEOUT_MS: '300' } })
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: -600 })
  const stale = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 0 })
  const fresh = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')

  for (const fault of [{ down: 'reset' }, { down: 'refuse' }, { latency_ms: 2000 }, { error_rate: 1, error_status: 500 }, { malformed: true }]) {
    await emulatorPost(ctx.emulator, 'emulator/faults', fault)
    const started = Date.now()
    const slow = await ctx.app.inject({ url: '/v1/me', cookies: stale.cookies })
    t.equal(slow.statusCode, 503, `${JSON.stringify(fault)}: 503`)
    t.equal(slow.json().code, 'identity_provider_unavailable')
    t.equal(slow.headers['retry-after'], '5')
    t.equal(slow.cookies.length, 0, 'cookies are kept (no Set-Cookie)')
    t.ok(Date.now() - started < 1500, 'bounded by the configured timeout')
    const fast = await ctx.app.inject({ url: '/v1/me', headers: bearer(fresh.session_jwt) })
    t.equal(fast.statusCode, 200, `${JSON.stringify(fault)}: a valid JWT still works`)
    await emulatorPost(ctx.emulator, 'emulator/faults', undefined, 'DELETE')
  }
  t.equal((await ctx.app.inject({ url: '/v1/me', cookies: stale.cookies })).statusCode, 200, 'recovers when Stytch is back')
})

t.test('cookie-authenticated state changes need an allowed Origin; bearer requests do not', async (t) => {
  const ctx = await buildApp(t)
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'editor@acme.test')
  const denied = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies, headers: { origin: 'https://evil.test' } })
  t.equal(denied.statusCode, 403)
  t.equal(denied.json().code, 'origin_not_allowed')
  const noOrigin = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies })
  t.equal(noOrigin.statusCode, 403, 'no Origin and no Sec-Fetch-Site → refused')
  t.equal((await ctx.app.inject({ url: '/v1/me', cookies })).statusCode, 200, 'the session survived both attempts')
  const sameSite = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies, headers: { 'sec-fetch-site': 'same-origin' } })
  t.equal(sameSite.statusCode, 204)
})

t.test('CORS: credentials only for the configured SPA origins', async (t) => {
  const ctx = await buildApp(t)
  const allowed = await ctx.app.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: 'http://spa.test:5173', 'access-control-request-method': 'GET' } })
  t.equal(allowed.headers['access-control-allow-origin'], 'http://spa.test:5173')
  t.equal(allowed.headers['access-control-allow-credentials'], 'true')
  const other = await ctx.app.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' } })
  t.notOk(other.headers['access-control-allow-origin'])
})

t.test('a JWT signed by a rotated-in key is accepted after one JWKS refetch; junk kids are rate-limited', async (t) => {
  const ctx = await buildApp(t, { env: { JWKS_REFETCH_COOLDOWN_SECONDS: '1' } })
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await emulatorPost(ctx.emulator, 'emulator/keys/rotate')
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_jwt) })).statusCode, 200)
  const calls = await emulatorCalls(ctx.emulator)
  t.equal(calls['GET /v1/b2b/sessions/jwks/:project_id'], 1)
  t.equal(calls[AUTHENTICATE] ?? 0, 0)

  // Tokens naming unknown keys, right after that refetch: refused without another JWKS fetch.
  for (let i = 0; i < 5; i++) {
    const junk = await new SignJWT(decodeJwt(tokens.session_jwt)).setProtectedHeader({ alg: 'RS256', kid: `jwk-test-junk-${i}`, typ: 'JWT' }).sign(ctx.emulator.state.keys.current.privateKey)
    t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(junk) })).statusCode, 401)
  }
  t.equal((await emulatorCalls(ctx.emulator))['GET /v1/b2b/sessions/jwks/:project_id'], 1, 'no refetch inside the cooldown')
})

t.test('no credential ever reaches the logs', async (t) => {
  const ctx = await buildApp(t, { env: { LOG_LEVEL: 'trace' } })
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'admin@acme.test')
  await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_jwt) })
  await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_token) })
  await ctx.app.inject({ url: '/v1/me', cookies })
  await ctx.app.inject({ url: '/v1/auth/magic-links/callback?token=SECRETMAGICTOKENVALUE12345' })
  await emulatorPost(ctx.emulator, 'emulator/faults', { down: 'reset' })
  await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_token) })
  const text = ctx.rawLogs.join('\n')
  t.ok(ctx.rawLogs.length > 5, 'the app did log')
  for (const secret of [tokens.session_jwt, tokens.session_token, cookies.stytch_session as string, cookies.stytch_session_jwt as string, 'SECRETMAGICTOKENVALUE12345', ctx.emulator.secret]) {
    t.notOk(text.includes(secret), `secret ${secret.slice(0, 6)}… not in logs`)
  }
})

t.test('signing keys are kept past their cache age when the refresh fails', async (t) => {
  const ctx = await buildApp(t, { env: { JWKS_CACHE_SECONDS: '1', JWKS_REFETCH_COOLDOWN_SECONDS: '0', STYTCH_TIMEOUT_MS: '300' } })
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/faults', { down: 'reset' })
  await new Promise((resolve) => setTimeout(resolve, 1100))
  for (let i = 0; i < 3; i++) {
    t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_jwt) })).statusCode, 200, 'stale keys still verify')
    await new Promise((resolve) => setTimeout(resolve, 400))
  }
  t.ok(ctx.rawLogs.some((line) => line.includes('JWKS refresh failed')), 'a refresh was attempted and failed')
  t.equal((await ctx.app.inject('/readyz')).statusCode, 200)
})

t.test('__Host- cookie prefix when configured', async (t) => {
  const ctx = await buildApp(t, { env: { COOKIE_HOST_PREFIX: 'true' } })
  const { response, cookies } = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  t.same(Object.keys(cookies).sort(), ['__Host-stytch_session', '__Host-stytch_session_jwt'])
  for (const cookie of response.cookies) {
    t.equal(cookie.secure, true)
    t.equal(cookie.path, '/')
    t.notOk(cookie.domain)
  }
  t.equal((await ctx.app.inject({ url: '/v1/me', cookies })).statusCode, 200)
})
