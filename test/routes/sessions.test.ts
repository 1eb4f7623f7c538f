import { decodeJwt } from 'jose'
import t from 'tap'
import { buildApp, emulatorPost, loginForCookies, loginForTokens } from '../helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('listSessions shows my sessions and which one is current; revokeSession ends one at once', async (t) => {
  const ctx = await buildApp(t)
  const laptop = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const phone = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const other = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')

  const list = await ctx.app.inject({ url: '/v1/me/sessions', headers: bearer(laptop.session_jwt) })
  t.equal(list.statusCode, 200)
  const sessions = list.json().sessions as Array<{ member_session_id: string, current: boolean, authentication_factors: unknown[] }>
  t.same(sessions.map((s) => s.member_session_id).sort(), [laptop.session.member_session_id, phone.session.member_session_id].sort())
  t.same(sessions.filter((s) => s.current).map((s) => s.member_session_id), [laptop.session.member_session_id])
  t.match(sessions[0]?.authentication_factors, [{ type: 'magic_link', delivery_method: 'email' }])

  const foreign = await ctx.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${other.session.member_session_id}`, headers: bearer(laptop.session_jwt) })
  t.equal(foreign.statusCode, 404, 'another member\'s session is not mine to revoke')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(other.session_jwt) })).statusCode, 200, 'and it still works')

  const revoke = await ctx.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${phone.session.member_session_id}`, headers: bearer(laptop.session_jwt) })
  t.equal(revoke.statusCode, 204)
  const phoneNow = await ctx.app.inject({ url: '/v1/me', headers: bearer(phone.session_jwt) })
  t.equal(phoneNow.statusCode, 401, 'the revoked session\'s still-unexpired JWT is refused at once')
  t.equal(phoneNow.json().code, 'session_revoked')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(laptop.session_jwt) })).statusCode, 200)
})

t.test('revokeAllSessions: everywhere, or all but the current one', async (t) => {
  const ctx = await buildApp(t)
  const a = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const b = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const c = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')

  const keep = await ctx.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(a.session_jwt), payload: { keep_current: true } })
  t.equal(keep.statusCode, 200)
  t.same(keep.json(), { revoked: 2 })
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(a.session_jwt) })).statusCode, 200, 'the current session is kept')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(b.session_jwt) })).statusCode, 401)
  t.equal((await ctx.app.inject({ url: '/v1/me', cookies: c.cookies })).statusCode, 401)
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(b.session_token) })).statusCode, 401, 'dead at Stytch too')

  const all = await ctx.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(a.session_jwt), payload: {} })
  t.same(all.json(), { revoked: 1 })
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(a.session_jwt) })).statusCode, 401, 'no session is left usable')
})

t.test('updateCurrentSession: allowed claims land in the next JWT and in getMe', async (t) => {
  const ctx = await buildApp(t)
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const origin = { origin: 'http://spa.test:5173' }

  const update = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', cookies, headers: origin, payload: { custom_claims: { theme: 'dark', ui_state: { sidebar: 'collapsed' } } } })
  t.equal(update.statusCode, 200)
  t.same(update.json().session.custom_claims, { theme: 'dark', ui_state: { sidebar: 'collapsed' } })
  const jwtCookie = update.cookies.find((c) => c.name === 'stytch_session_jwt')?.value as string
  t.match(decodeJwt(jwtCookie), { theme: 'dark', ui_state: { sidebar: 'collapsed' } }, 'the new JWT carries the claims')
  const me = await ctx.app.inject({ url: '/v1/me', cookies: { ...cookies, stytch_session_jwt: jwtCookie } })
  t.same(me.json().session.custom_claims, { theme: 'dark', ui_state: { sidebar: 'collapsed' } })

  const removed = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', cookies, headers: origin, payload: { custom_claims: { theme: null, locale: 'en-GB' } } })
  t.same(removed.json().session.custom_claims, { ui_state: { sidebar: 'collapsed' }, locale: 'en-GB' }, 'null removes a claim')

  const viaBearer = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: bearer(tokens.session_jwt), payload: { custom_claims: { locale: 'fr' } } })
  t.equal(viaBearer.statusCode, 200)
  t.match(decodeJwt(viaBearer.headers['x-session-jwt'] as string), { locale: 'fr' }, 'bearer clients get the new JWT in X-Session-JWT')
})

t.test('updateCurrentSession: clients cannot choose claims that grant anything', async (t) => {
  const ctx = await buildApp(t)
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const attempts = [
    { roles: ['stytch_admin'] },
    { permissions: ['documents:delete'] },
    { admin: true },
    { sub: 'member-test-someone-else' },
    { exp: 9999999999 },
    { 'https://stytch.com/session': { roles: ['stytch_admin'] } },
    { theme: 'dark', role: 'admin' }
  ]
  for (const claims of attempts) {
    const response = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: bearer(tokens.session_jwt), payload: { custom_claims: claims } })
    t.equal(response.statusCode, 400, `${JSON.stringify(claims)} → 400`)
  }
  const big = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'x'.repeat(500)]))
  const oversized = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: bearer(tokens.session_jwt), payload: { custom_claims: { ui_state: big } } })
  t.equal(oversized.statusCode, 400)
  t.equal(oversized.json().code, 'custom_claims_too_large')
  const stored = [...ctx.emulator.state.sessions.values()].find((s) => s.member_session_id === tokens.session.member_session_id)
  t.same(stored?.custom_claims ?? {}, {}, 'nothing reached the session')
  t.equal((await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: bearer(tokens.session_jwt), payload: {} })).statusCode, 400)
})

t.test('updateCurrentSession extends the session', async (t) => {
  const ctx = await buildApp(t, { env: { SESSION_DURATION_MINUTES: '30' } })
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const before = Date.parse(tokens.session.expires_at)
  const response = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: bearer(tokens.session_jwt), payload: { session_duration_minutes: 600 } })
  t.equal(response.statusCode, 200)
  const after = Date.parse(response.json().session.expires_at)
  t.ok(after - before > 500 * 60_000, `extended by ~570 minutes (${Math.round((after - before) / 60_000)})`)
})

t.test('the absolute lifetime is enforced even while the member is active', async (t) => {
  const ctx = await buildApp(t, { env: { SESSION_MAX_LIFETIME_MINUTES: '10' } })
  // Started 12 minutes ago; kept alive since (sliding expiry), but past the absolute lifetime.
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: -12 * 60 })
  const old = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 0 })
  const stillValidAtStytch = await ctx.app.stytch.client.sessions.authenticate({ session_token: old.cookies.stytch_session as string })
  t.ok(stillValidAtStytch.session_jwt, 'Stytch itself still accepts the session (sliding)')
  const response = await ctx.app.inject({ url: '/v1/me', cookies: { ...old.cookies, stytch_session_jwt: stillValidAtStytch.session_jwt } })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'session_expired')
  t.same(response.cookies.map((c) => c.value), ['', ''], 'cookies cleared')
  const young = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(young.session_jwt) })).statusCode, 200)
})
