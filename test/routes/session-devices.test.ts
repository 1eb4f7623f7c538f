import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { RunningEmulator } from '../../src/emulator/index.js'
import { buildApp, cookiesOf, latestToken, loginForTokens, pkcePair, verifierCookie, type BodyLogin } from '../helper.js'

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

interface Device { ip?: string, user_agent?: string, browser?: string, os?: string, first_seen: string, last_seen: string }
interface Listed { member_session_id: string, current: boolean, device?: Device }

/** A mobile login (body delivery) from a device with this User-Agent. */
async function loginFrom (app: FastifyInstance, emulator: RunningEmulator, email: string, userAgent: string): Promise<BodyLogin> {
  const { verifier, challenge } = pkcePair()
  await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization: 'acme', pkce_code_challenge: challenge } })
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/magic-links/authenticate',
    headers: { 'user-agent': userAgent },
    payload: { token: await latestToken(emulator, email), delivery: 'body', pkce_code_verifier: verifier }
  })
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode}`)
  return response.json<BodyLogin>()
}

/** A browser login (cookie delivery) from a device with this User-Agent. */
async function browserLoginFrom (app: FastifyInstance, emulator: RunningEmulator, email: string, userAgent: string): Promise<LightMyRequestResponse> {
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization: 'acme' } })
  const verifier = verifierCookie(sent) as { name: string, value: string }
  return await app.inject({
    method: 'POST',
    url: '/v1/auth/magic-links/authenticate',
    headers: { 'user-agent': userAgent },
    cookies: { [verifier.name]: verifier.value },
    payload: { token: await latestToken(emulator, email) }
  })
}

async function listed (app: FastifyInstance, jwt: string): Promise<Map<string, Listed>> {
  const response = await app.inject({ url: '/v1/me/sessions', headers: bearer(jwt) })
  if (response.statusCode !== 200) throw new Error(`listSessions: ${response.statusCode}`)
  return new Map((response.json().sessions as Listed[]).map((s) => [s.member_session_id, s]))
}

const deviceRows = async (app: FastifyInstance, sessionIds: string[]) =>
  (await app.db.query<{ member_session_id: string, last_seen: Date }>('select member_session_id, last_seen from session_devices where member_session_id = any($1::text[])', [sessionIds])).rows

t.test('a login records the device, parsed; listSessions shows it per session', async (t) => {
  const ctx = await buildApp(t)
  const laptop = await loginFrom(ctx.app, ctx.emulator, 'editor@acme.test', CHROME_MAC)
  const browser = await browserLoginFrom(ctx.app, ctx.emulator, 'editor@acme.test', FIREFOX_LINUX)
  t.equal(browser.statusCode, 200)
  const browserSession = (browser.json() as BodyLogin).session.member_session_id

  const sessions = await listed(ctx.app, laptop.session_jwt)
  t.equal(sessions.size, 2)
  const mine = sessions.get(laptop.session.member_session_id)
  t.match(mine, { current: true, device: { ip: '127.0.0.1', user_agent: CHROME_MAC, browser: 'Chrome 124.0.0.0', os: 'macOS 10.15.7' } })
  t.ok(Date.parse(mine?.device?.first_seen ?? '') <= Date.parse(mine?.device?.last_seen ?? ''))
  t.ok(Math.abs(Date.now() - Date.parse(mine?.device?.first_seen ?? '')) < 60_000, 'first seen just now')
  t.match(sessions.get(browserSession), { current: false, device: { user_agent: FIREFOX_LINUX, browser: 'Firefox 125.0', os: 'Linux' } }, 'cookie logins too (setCookies)')

  // The cookie session lists its sessions the same way.
  const viaCookie = await ctx.app.inject({ url: '/v1/me/sessions', cookies: cookiesOf(browser) })
  t.equal(viaCookie.json().sessions.length, 2)
})

t.test('a device whose user agent says nothing parses to nothing, and listSessions leaves out what is unknown', async (t) => {
  const ctx = await buildApp(t)
  const login = await loginFrom(ctx.app, ctx.emulator, 'viewer@acme.test', 'curl-ish/0')
  const device = (await listed(ctx.app, login.session_jwt)).get(login.session.member_session_id)?.device
  t.same(Object.keys(device ?? {}).sort(), ['first_seen', 'ip', 'last_seen', 'user_agent'], 'no browser or os keys when the parser knows neither')

  // A session with no device row (minted elsewhere: e.g. in Stytch's dashboard or before this API recorded devices).
  await ctx.app.db.query('delete from session_devices where member_session_id = $1', [login.session.member_session_id])
  const listedNow = (await listed(ctx.app, login.session_jwt)).get(login.session.member_session_id)
  t.ok(listedNow !== undefined && !('device' in listedNow), 'device is absent when unknown')
})

t.test('the slow path (refresh) updates the device; the fast path never writes; refreshes within the throttle cost no write', async (t) => {
  const ctx = await buildApp(t)
  const phone = await loginFrom(ctx.app, ctx.emulator, 'editor@acme.test', CHROME_MAC)
  const id = phone.session.member_session_id
  const [before] = await deviceRows(ctx.app, [id])

  for (let i = 0; i < 5; i++) {
    t.equal((await ctx.app.inject({ url: '/v1/me', headers: { ...bearer(phone.session_jwt), 'user-agent': SAFARI_IPHONE } })).statusCode, 200)
  }
  t.same(await deviceRows(ctx.app, [id]), [before], 'fast-path requests (JWT verified locally) do not touch the row')

  const refreshed = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', headers: { 'user-agent': SAFARI_IPHONE }, payload: { session_token: phone.session_token } })
  t.equal(refreshed.statusCode, 200)
  const device = (await listed(ctx.app, phone.session_jwt)).get(id)?.device
  t.match(device, { user_agent: SAFARI_IPHONE, browser: 'Safari 17.4', os: 'iOS 17.4' }, 'the device as last seen')
  const [afterRefresh] = await deviceRows(ctx.app, [id])
  t.ok((afterRefresh?.last_seen.getTime() ?? 0) >= (before?.last_seen.getTime() ?? Infinity), 'last_seen moved on')

  // The same device again within the throttle interval: no write (last_seen stays exactly the same).
  await ctx.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', headers: { 'user-agent': SAFARI_IPHONE }, payload: { session_token: phone.session_token } })
  t.same(await deviceRows(ctx.app, [id]), [afterRefresh], 'a second refresh within a minute is not written')

  // Bearer slow path of a request carrying the session token only: deliver() notes the device.
  const slow = await ctx.app.inject({ url: '/v1/me', headers: { ...bearer(phone.session_token), 'user-agent': FIREFOX_LINUX } })
  t.equal(slow.statusCode, 200)
  t.match((await listed(ctx.app, phone.session_jwt)).get(id)?.device, { browser: 'Firefox 125.0' }, 'the slow path records a changed device at once')
})

t.test('devices disappear when their sessions end: revoke one, logout, revoke all, member removed; and lazily when listing', async (t) => {
  const ctx = await buildApp(t)
  const a = await loginFrom(ctx.app, ctx.emulator, 'viewer@acme.test', CHROME_MAC)
  const b = await loginFrom(ctx.app, ctx.emulator, 'viewer@acme.test', FIREFOX_LINUX)
  const c = await loginFrom(ctx.app, ctx.emulator, 'viewer@acme.test', SAFARI_IPHONE)
  const d = await loginFrom(ctx.app, ctx.emulator, 'viewer@acme.test', SAFARI_IPHONE)
  const ids = [a, b, c, d].map((l) => l.session.member_session_id)
  t.equal((await deviceRows(ctx.app, ids)).length, 4)

  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${b.session.member_session_id}`, headers: bearer(a.session_jwt) })).statusCode, 204)
  t.same((await deviceRows(ctx.app, ids)).map((r) => r.member_session_id).sort(), [ids[0], ids[2], ids[3]].sort(), 'revokeSession deletes its device')
  t.notOk((await listed(ctx.app, a.session_jwt)).has(b.session.member_session_id))

  t.equal((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(c.session_jwt) })).statusCode, 204)
  t.same((await deviceRows(ctx.app, ids)).map((r) => r.member_session_id).sort(), [ids[0], ids[3]].sort(), 'logout deletes its device')

  // A session that ended without this API hearing of it (revoked at Stytch directly): pruned on listing.
  await ctx.app.stytch.client.sessions.revoke({ member_session_id: d.session.member_session_id })
  await listed(ctx.app, a.session_jwt)
  t.same((await deviceRows(ctx.app, ids)).map((r) => r.member_session_id), [ids[0]], 'the ended session\'s row is pruned lazily')

  t.equal((await ctx.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(a.session_jwt), payload: {} })).statusCode, 200)
  t.same(await deviceRows(ctx.app, ids), [], 'revokeAllSessions deletes every device')

  // A removed member's devices go with them.
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const { member } = await ctx.app.stytch.client.organizations.members.create({ organization_id: await orgOf(ctx.app, admin), email_address: 'leaver@acme.test', roles: ['viewer'] })
  const leaver = await loginFrom(ctx.app, ctx.emulator, 'leaver@acme.test', CHROME_MAC)
  t.equal((await deviceRows(ctx.app, [leaver.session.member_session_id])).length, 1)
  const removed = await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/members/${member.member_id}`, headers: bearer(admin.session_jwt) })
  t.equal(removed.statusCode, 204)
  t.same(await deviceRows(ctx.app, [leaver.session.member_session_id]), [], 'removeMember deletes the member\'s devices')
})

async function orgOf (app: FastifyInstance, login: BodyLogin): Promise<string> {
  const me = await app.inject({ url: '/v1/me', headers: bearer(login.session_jwt) })
  return me.json().organization.organization_id as string
}
