import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { AUTHENTICATE, buildApp, emulatorCalls, emulatorPost, loginForCookies, loginForTokens } from '../helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Sends raw request bytes to a listening app and returns the status line's code and the body. */
async function rawRequest (port: number, lines: string[]): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => { socket.write(`${lines.join('\r\n')}\r\n\r\n`) })
    let data = ''
    socket.on('data', (chunk) => { data += chunk.toString('utf8') })
    socket.on('end', () => resolve({ status: Number(data.split(' ')[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) }))
    socket.on('error', reject)
  })
}

t.test('two Authorization headers are refused, not "first wins"', async (t) => {
  const ctx = await buildApp(t)
  const a = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const b = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = ctx.app.server.address() as AddressInfo
  const base = ['GET /v1/me HTTP/1.1', 'Host: api.test', 'Connection: close']
  t.equal((await rawRequest(port, [...base, `Authorization: Bearer ${a.session_jwt}`])).status, 200, 'one header: fine')
  const twice = await rawRequest(port, [...base, `Authorization: Bearer ${a.session_jwt}`, `Authorization: Bearer ${b.session_jwt}`])
  t.equal(twice.status, 401)
  t.match(JSON.parse(twice.body), { code: 'ambiguous_credentials' })
  const same = await rawRequest(port, [...base, `Authorization: Bearer ${a.session_jwt}`, `authorization: Bearer ${a.session_jwt}`])
  t.equal(same.status, 401, 'even the same credential twice')
})

t.test('a bearer beside session cookies of another session is refused; of the same session it is fine', async (t) => {
  const ctx = await buildApp(t)
  const mobile = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'admin@acme.test')
  const mixed = await ctx.app.inject({ url: '/v1/me', headers: bearer(mobile.session_jwt), cookies })
  t.equal(mixed.statusCode, 401)
  t.equal(mixed.json().code, 'ambiguous_credentials')
  const tokenMixed = await ctx.app.inject({ url: '/v1/me', headers: bearer(mobile.session_token), cookies })
  t.equal(tokenMixed.json().code, 'ambiguous_credentials', 'a bearer token beside another session\'s cookies too')
  const same = await ctx.app.inject({ url: '/v1/me', headers: bearer(cookies.stytch_session_jwt as string), cookies })
  t.equal(same.statusCode, 200, 'the same session as bearer and cookie')
})

t.test('a JWT cookie and a token cookie of different sessions never authenticate as either', async (t) => {
  const ctx = await buildApp(t)
  const victim = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  const attacker = await loginForCookies(ctx.app, ctx.emulator, 'admin@acme.test')
  // Short JWTs: the victim's JWT expires, so the slow path would run with the tossed token.
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: -3600 })
  const stale = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 0 })
  const tossed = { stytch_session_jwt: stale.cookies.stytch_session_jwt as string, stytch_session: attacker.cookies.stytch_session as string }
  const response = await ctx.app.inject({ url: '/v1/me', cookies: tossed })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'ambiguous_credentials')
  t.ok(victim.cookies.stytch_session_jwt, 'the victim has a session of their own')
})

t.test('the same cookie name twice (cookie tossing) is refused', async (t) => {
  const ctx = await buildApp(t)
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  const other = await loginForCookies(ctx.app, ctx.emulator, 'admin@acme.test')
  const header = `stytch_session_jwt=${other.cookies.stytch_session_jwt as string}; stytch_session_jwt=${cookies.stytch_session_jwt as string}; stytch_session=${cookies.stytch_session as string}`
  const response = await ctx.app.inject({ url: '/v1/me', headers: { cookie: header } })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'ambiguous_credentials')
  const single = `stytch_session_jwt=${cookies.stytch_session_jwt as string}; other_stytch_session_jwt=x; stytch_session=${cookies.stytch_session as string}`
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: { cookie: single } })).statusCode, 200, 'a cookie whose name merely ends the same is another cookie')
})

t.test('__Host- cookie names by default whenever cookies are Secure', async (t) => {
  const secure = await buildApp(t, { env: { COOKIE_HOST_PREFIX: '' } })
  const { response } = await loginForCookies(secure.app, secure.emulator, 'viewer@acme.test')
  // (The login also clears the PKCE verifier cookie it used: same prefix.)
  t.same(response.cookies.map((c) => c.name).sort(), ['__Host-stytch_pkce_verifier', '__Host-stytch_session', '__Host-stytch_session_jwt'])
  t.ok(response.cookies.every((c) => c.secure === true && c.path === '/' && c.domain === undefined))
  const plain = await buildApp(t, { env: { COOKIE_HOST_PREFIX: '', COOKIE_SECURE: 'false' } })
  const { response: insecure } = await loginForCookies(plain.app, plain.emulator, 'viewer@acme.test')
  t.same(insecure.cookies.map((c) => c.name).sort(), ['stytch_pkce_verifier', 'stytch_session', 'stytch_session_jwt'], 'no prefix without Secure (it would be refused)')
})

t.test('Cache-Control: no-store on authenticated answers and on answers that set or clear cookies', async (t) => {
  const ctx = await buildApp(t)
  const { response: login, cookies } = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  t.equal(login.headers['cache-control'], 'no-store', 'login (sets cookies)')
  const me = await ctx.app.inject({ url: '/v1/me', cookies })
  t.equal(me.headers['cache-control'], 'no-store', 'getMe')
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  t.equal((await ctx.app.inject({ url: '/v1/me/sessions', headers: bearer(tokens.session_jwt) })).headers['cache-control'], 'no-store', 'listSessions (bearer)')
  const logout = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies, headers: { origin: 'http://api.test:3000' } })
  t.equal(logout.statusCode, 204)
  t.equal(logout.headers['cache-control'], 'no-store', 'logout (clears cookies)')
})

t.test('the absolute lifetime bounds extensions: no expiry and no cookie Max-Age past it', async (t) => {
  const ctx = await buildApp(t, { env: { SESSION_MAX_LIFETIME_MINUTES: '30' } })
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  const me = (await ctx.app.inject({ url: '/v1/me', cookies })).json()
  const end = Date.parse(me.session.started_at) + 30 * 60_000
  const extended = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', cookies, headers: { origin: 'http://api.test:3000' }, payload: { session_duration_minutes: 600 } })
  t.equal(extended.statusCode, 200)
  t.ok(Date.parse(extended.json().session.expires_at) <= end, 'reported expiry within the absolute lifetime')
  for (const cookie of extended.cookies) t.ok((cookie.maxAge ?? Infinity) <= 30 * 60, `${cookie.name} Max-Age within it`)
  const login = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  t.ok(Date.parse(login.session.expires_at) <= Date.now() + 30 * 60_000 + 1000, 'a login (7-day sessions) reports at most the absolute lifetime')
})

t.test('sensitive routes are confirmed by Stytch: a session revoked in Stytch\'s dashboard cannot manage members', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  await ctx.app.stytch.client.sessions.revoke({ member_session_id: admin.session.member_session_id })
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(admin.session_jwt) })).statusCode, 200, 'getMe still trusts the JWT (the documented window)')
  const invite = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: 'new@acme.test' } })
  t.equal(invite.statusCode, 401)
  t.equal(invite.json().code, 'session_revoked')
  t.notOk([...ctx.emulator.state.members.values()].some((m) => m.email_address === 'new@acme.test'), 'nobody was invited')
})

t.test('sensitive routes with a recent-authentication bound answer reauthentication_required', async (t) => {
  const ctx = await buildApp(t)
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: -2 * 3600 })
  const old = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 0 })
  const editor = [...ctx.emulator.state.members.values()].find((m) => m.email_address === 'editor@acme.test')
  const denied = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${editor?.member_id ?? ''}/roles`, headers: bearer(old.session_token), payload: { roles: ['viewer'] } })
  t.equal(denied.statusCode, 401)
  t.equal(denied.json().code, 'reauthentication_required')
  const fresh = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const allowed = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${editor?.member_id ?? ''}/roles`, headers: bearer(fresh.session_jwt), payload: { roles: ['viewer'] } })
  t.equal(allowed.statusCode, 200)
  t.ok(((await emulatorCalls(ctx.emulator))[AUTHENTICATE] ?? 0) >= 1, 'confirmed with Stytch although the JWT was fresh')
})

t.test('the last active stytch_admin can be neither removed nor demoted (409 last_admin)', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const id = admin.member.member_id
  const demote = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${id}/roles`, headers: bearer(admin.session_jwt), payload: { roles: [] } })
  t.equal(demote.statusCode, 409)
  t.equal(demote.json().code, 'last_admin')
  const remove = await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/members/${id}`, headers: bearer(admin.session_jwt) })
  t.equal(remove.statusCode, 409)
  t.equal(remove.json().code, 'last_admin')
  t.equal([...ctx.emulator.state.members.values()].find((m) => m.member_id === id)?.status, 'active', 'still there')

  const editor = [...ctx.emulator.state.members.values()].find((m) => m.email_address === 'editor@acme.test')
  const promote = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${editor?.member_id ?? ''}/roles`, headers: bearer(admin.session_jwt), payload: { roles: ['stytch_admin'] } })
  t.equal(promote.statusCode, 200)
  const stepDown = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${id}/roles`, headers: bearer(admin.session_jwt), payload: { roles: ['editor'] } })
  t.equal(stepDown.statusCode, 200, 'with another admin, stepping down is fine')
})

t.test('a JWT issued in the future (beyond the clock tolerance) is refused locally', async (t) => {
  const ctx = await buildApp(t)
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 120 })
  const ahead = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 0 })
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const response = await ctx.app.inject({ url: '/v1/me', headers: bearer(ahead.session_jwt) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'invalid_credentials')
  t.equal((await emulatorCalls(ctx.emulator))[AUTHENTICATE] ?? 0, 0, 'no Stytch call')
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 3 })
  const slightly = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(slightly.session_jwt) })).statusCode, 200, 'within the tolerance: accepted')
})
