import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { openDatabase } from '../../src/db/database.js'
import { migrate } from '../../src/db/migrations.js'
import type { RunningEmulator } from '../../src/emulator/index.js'
import { buildApp, emulatorGet, latestToken, loginForCookies, loginForTokens, pkcePair, type BodyLogin } from '../helper.js'

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'
const headersOf = (login: BodyLogin) => ({ authorization: `Bearer ${login.session_jwt}`, 'user-agent': UA })

interface Event {
  id: string
  organization_id: string
  type: string
  actor_member_id: string | null
  target_member_id: string | null
  target_session_id: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  details: Record<string, unknown>
  created_at: string
}

async function loginWithAgent (app: FastifyInstance, emulator: RunningEmulator, email: string): Promise<BodyLogin> {
  const { verifier, challenge } = pkcePair()
  await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization: email.split('@')[1]?.split('.')[0] as string, pkce_code_challenge: challenge } })
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/magic-links/authenticate',
    headers: { 'user-agent': UA },
    payload: { token: await latestToken(emulator, email), delivery: 'body', pkce_code_verifier: verifier }
  })
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`)
  return response.json<BodyLogin>()
}

async function allEvents (app: FastifyInstance, admin: BodyLogin, query = ''): Promise<Event[]> {
  const response = await app.inject({ url: `/v1/organizations/acme/audit-events?limit=100${query}`, headers: headersOf(admin) })
  if (response.statusCode !== 200) throw new Error(`listAuditEvents: ${response.statusCode} ${response.body}`)
  return response.json().events as Event[]
}

t.test('every event type of a full journey is written with actor, target, ip, user agent and request id — and nothing secret', async (t) => {
  const ctx = await buildApp(t)
  const { app, emulator } = ctx
  const admin = await loginWithAgent(app, emulator, 'admin@acme.test')
  const editor = await loginWithAgent(app, emulator, 'editor@acme.test')
  const editorPhone = await loginWithAgent(app, emulator, 'editor@acme.test')
  const editorTablet = await loginWithAgent(app, emulator, 'editor@acme.test')
  const browser = await loginForCookies(app, emulator, 'viewer@acme.test')
  const me = (await app.inject({ url: '/v1/me', headers: headersOf(admin) })).json()
  const orgId = me.organization.organization_id as string
  const adminId = admin.member.member_id
  const editorId = editor.member.member_id

  // The editor's own sessions: one revoked, the others but the current, then logout.
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/me/sessions/${editorPhone.session.member_session_id}`, headers: headersOf(editor) })).statusCode, 204)
  t.equal((await app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: headersOf(editor), payload: { keep_current: true } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: headersOf(editor) })).statusCode, 204)

  // The admin manages members.
  const invited = await app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: headersOf(admin), payload: { email_address: 'newcomer@acme.test', roles: ['viewer'] } })
  t.equal(invited.statusCode, 201)
  const { member: target } = await app.stytch.client.organizations.members.create({ organization_id: orgId, email_address: 'target@acme.test', roles: ['editor'] })
  const targetLogin = await loginForTokens(app, emulator, 'target@acme.test')
  t.equal((await app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${target.member_id}/roles`, headers: headersOf(admin), payload: { roles: ['viewer'] } })).statusCode, 200)
  await loginForTokens(app, emulator, 'target@acme.test')
  t.equal((await app.inject({ method: 'POST', url: `/v1/organizations/acme/members/${target.member_id}/sessions/revoke`, headers: headersOf(admin) })).statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/organizations/acme/members/${target.member_id}`, headers: headersOf(admin) })).statusCode, 204)

  const events = await allEvents(app, admin)
  const byType = (type: string) => events.filter((e) => e.type === type)
  t.ok(events.every((e) => e.organization_id === orgId), 'only acme\'s events')
  t.ok(events.every((e) => e.ip === '127.0.0.1' && typeof e.request_id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(e.request_id)), 'every event has the client ip and the request id')
  t.equal(new Set(events.map((e) => e.request_id)).size, events.length, 'one request, one event: request ids differ')

  const logins = byType('login')
  t.ok(logins.some((e) => e.actor_member_id === adminId && e.target_member_id === adminId && e.target_session_id === admin.session.member_session_id && e.user_agent === UA && e.details.delivery === 'body'),
    'the admin\'s login: actor and target the admin, its session, its user agent')
  t.ok(logins.some((e) => e.details.delivery === 'cookie'), 'cookie logins too')
  t.match(byType('session_revoked'), [{ actor_member_id: editorId, target_member_id: editorId, target_session_id: editorPhone.session.member_session_id, user_agent: UA, details: { current: false } }])
  const ownRevokeAll = byType('member_sessions_revoked').find((e) => e.actor_member_id === editorId)
  t.match(ownRevokeAll, { target_member_id: editorId, details: { count: 1, keep_current: true } }, 'revoke-all of my own sessions')
  t.match(byType('logout'), [{ actor_member_id: editorId, target_member_id: editorId, target_session_id: editor.session.member_session_id }])
  t.match(byType('member_invited'), [{ actor_member_id: adminId, target_member_id: invited.json().member_id, details: { email_address: 'newcomer@acme.test', roles: ['viewer'] } }])
  t.match(byType('role_changed'), [{ actor_member_id: adminId, target_member_id: target.member_id, details: { old_roles: ['stytch_member', 'editor'], new_roles: ['stytch_member', 'viewer'], sessions_revoked: 1 } }],
    'old and new roles; the downgrade revoked the member\'s session')
  t.match(byType('member_sessions_revoked').find((e) => e.actor_member_id === adminId), { target_member_id: target.member_id, details: { count: 1 } }, 'by whom (actor) and whose (target)')
  t.match(byType('member_removed'), [{ actor_member_id: adminId, target_member_id: target.member_id, details: { email_address: 'target@acme.test' } }])

  // Nothing secret in any row of the audit trail or of the devices.
  const outbox = (await emulatorGet<{ messages: Array<{ token?: string, url?: string }> }>(emulator, 'emulator/outbox')).messages
  const secrets = [admin, editor, editorPhone, editorTablet, targetLogin].flatMap((l) => [l.session_token, l.session_jwt])
    .concat(Object.values(browser.cookies))
    .concat(outbox.flatMap((m) => [m.token, m.url ? new URL(m.url).searchParams.get('token') ?? undefined : undefined]).filter((x): x is string => typeof x === 'string' && x.length >= 20))
    .concat([emulator.secret])
  t.ok(secrets.length > 12, `${secrets.length} secrets to look for`)
  const stored = JSON.stringify((await app.db.query('select * from audit_events where organization_id = $1', [orgId])).rows) +
    JSON.stringify((await app.db.query('select * from session_devices where organization_id = $1', [orgId])).rows)
  for (const secret of secrets) t.notOk(stored.includes(secret), 'no token, JWT, cookie or link token is stored')
  t.notMatch(stored, /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./, 'nothing JWT-shaped at all')
})

t.test('listAuditEvents: filters by type (one or several), actor and time; cursor pages; bad input is a 400', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginWithAgent(ctx.app, ctx.emulator, 'admin@acme.test')
  const viewer = await loginWithAgent(ctx.app, ctx.emulator, 'viewer@acme.test')
  const viewer2 = await loginWithAgent(ctx.app, ctx.emulator, 'viewer@acme.test')
  await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: headersOf(viewer2) })
  await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: headersOf(viewer) })

  const events = await allEvents(ctx.app, admin)
  t.equal(events.length, 5)
  t.same(events.map((e) => e.type), ['logout', 'logout', 'login', 'login', 'login'], 'newest first')
  t.same((await allEvents(ctx.app, admin, '&type=logout')).map((e) => e.type), ['logout', 'logout'])
  t.equal((await allEvents(ctx.app, admin, '&type=logout&type=login')).length, 5, 'several types')
  t.equal((await allEvents(ctx.app, admin, '&type=role_changed')).length, 0)
  t.same((await allEvents(ctx.app, admin, `&actor=${admin.member.member_id}`)).map((e) => e.type), ['login'])
  const oldestLogout = events[1] as Event
  t.equal((await allEvents(ctx.app, admin, `&since=${encodeURIComponent(oldestLogout.created_at)}`)).length, 2, 'since: inclusive')
  t.equal((await allEvents(ctx.app, admin, `&until=${encodeURIComponent(oldestLogout.created_at)}`)).length, 3, 'until: exclusive')

  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page = await ctx.app.inject({ url: `/v1/organizations/acme/audit-events?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`, headers: headersOf(admin) })
    t.equal(page.statusCode, 200)
    seen.push(...(page.json().events as Event[]).map((e) => e.id))
    cursor = page.json().next_cursor as string | null
    pages++
  } while (cursor !== null && pages < 10)
  t.equal(pages, 3)
  t.same(seen, events.map((e) => e.id), 'the pages together are the list, in order, each once')

  const badCursor = await ctx.app.inject({ url: '/v1/organizations/acme/audit-events?cursor=bogus', headers: headersOf(admin) })
  t.equal(badCursor.statusCode, 400)
  t.equal(badCursor.json().code, 'invalid_cursor')
  for (const query of ['type=nope', 'actor=someone', 'since=yesterday', 'limit=0', 'limit=101']) {
    const bad = await ctx.app.inject({ url: `/v1/organizations/acme/audit-events?${query}`, headers: headersOf(admin) })
    t.equal(bad.statusCode, 400, query)
    t.equal(bad.json().code, 'validation_failed')
  }
})

t.test('only admins of the organization read its audit trail', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginWithAgent(ctx.app, ctx.emulator, 'admin@acme.test')
  for (const email of ['viewer@acme.test', 'editor@acme.test']) {
    const login = await loginWithAgent(ctx.app, ctx.emulator, email)
    const denied = await ctx.app.inject({ url: '/v1/organizations/acme/audit-events', headers: headersOf(login) })
    t.equal(denied.statusCode, 403, email)
    t.equal(denied.json().code, 'permission_denied')
  }
  const globexAdmin = await loginWithAgent(ctx.app, ctx.emulator, 'admin@globex.test')
  const crossOrg = await ctx.app.inject({ url: '/v1/organizations/acme/audit-events', headers: headersOf(globexAdmin) })
  t.equal(crossOrg.statusCode, 403, 'another organization\'s admin cannot read acme\'s')
  const acmeId = (await ctx.app.inject({ url: '/v1/me', headers: headersOf(admin) })).json().organization.organization_id as string
  t.equal((await ctx.app.inject({ url: `/v1/organizations/${acmeId}/audit-events`, headers: headersOf(globexAdmin) })).statusCode, 403, 'by id either')
  const own = await allEvents(ctx.app, admin)
  t.ok(own.length >= 3 && own.every((e) => e.organization_id === acmeId))
  const globexOwn = await ctx.app.inject({ url: '/v1/organizations/globex/audit-events', headers: headersOf(globexAdmin) })
  t.equal(globexOwn.statusCode, 200)
  t.same((globexOwn.json().events as Event[]).map((e) => e.type), ['login'], 'globex sees its own events only')
  t.equal((await ctx.app.inject({ url: '/v1/organizations/acme/audit-events' })).statusCode, 401)
})

t.test('when the audit write fails, the request fails with 503 — and a login leaves no session behind', async (t) => {
  const database = await openDatabase({ dataDir: 'memory://' })
  t.teardown(() => database.close())
  await migrate(database)
  const ctx = await buildApp(t, { database })
  const editor = await loginWithAgent(ctx.app, ctx.emulator, 'editor@acme.test')
  await database.query('alter table audit_events rename to audit_events_away')

  const logout = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: headersOf(editor) })
  t.equal(logout.statusCode, 503)
  t.equal(logout.json().code, 'database_unavailable')
  t.ok(logout.headers['retry-after'] !== undefined)

  t.equal(ctx.emulator.state.sessions.get(editor.session.member_session_id)?.revoked, true, 'the logout itself happened (the trade-off: done, but not answered as a success)')

  // A login while the audit trail is unwritable: 503, no credentials handed out, and the session Stytch minted is revoked.
  const email = 'viewer@acme.test'
  const { verifier, challenge } = pkcePair()
  await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization: 'acme', pkce_code_challenge: challenge } })
  const known = new Set(ctx.emulator.state.sessions.keys())
  const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token: await latestToken(ctx.emulator, email), delivery: 'body', pkce_code_verifier: verifier } })
  t.equal(login.statusCode, 503)
  t.equal(login.json().code, 'database_unavailable')
  t.notOk(login.body.includes('session_'), 'no session token or JWT handed out')
  const minted = [...ctx.emulator.state.sessions.values()].filter((s) => !known.has(s.member_session_id))
  t.equal(minted.length, 1, 'Stytch minted one session')
  t.equal(minted[0]?.revoked, true, 'and it was revoked: no session exists that the audit trail does not know of')
  t.equal((await database.query('select 1 from session_devices where member_session_id = $1', [minted[0]?.member_session_id])).rowCount, 0, 'nor its device')

  await database.query('alter table audit_events_away rename to audit_events')
  t.equal((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: headersOf(await loginWithAgent(ctx.app, ctx.emulator, email)) })).statusCode, 204, 'back to normal once it can write again')
})
