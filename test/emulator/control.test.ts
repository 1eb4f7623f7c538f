// Transport-level behaviour (Basic auth, error bodies, malformed input; reference §1–2, §10) and the
// /emulator/* control routes of the contract (outbox, reset, calls, faults).
import t from 'tap'
import { StytchError } from 'stytch'
import {
  callCount, control, JWKS_ROUTE, login, newClient, outbox, readCalls, rejectsClient, rejectsRequest, rejectsStytch, resetCalls,
  RFC3339, SESSIONS_AUTHENTICATE, startHarness
} from './helper.js'

const ERROR_BODY = { status_code: Number, request_id: /\S/, error_type: /\S/, error_message: /\S/, error_url: /^https:\/\// }

async function raw (url: string, init: RequestInit): Promise<{ status: number, body: any }> {
  const res = await fetch(url, init)
  return { status: res.status, body: await res.json() }
}

t.test('Basic auth: wrong or missing credentials → 401 unauthorized_credentials', async (t) => {
  const h = await startHarness(t)
  const wrong = newClient(t, h.emu, 'secret-test-wrong')
  await rejectsStytch(t, wrong.organizations.get({ organization_id: 'acme' }), { status_code: 401, error_type: 'unauthorized_credentials' })
  await rejectsStytch(t, wrong.sessions.authenticate({ session_token: 'x' }), { status_code: 401, error_type: 'unauthorized_credentials' })
  const url = new URL('/v1/b2b/organizations/acme', h.emu.url).toString()
  const missing = await raw(url, {})
  t.equal(missing.status, 401)
  t.match(missing.body, { ...ERROR_BODY, status_code: 401, error_type: 'unauthorized_credentials' })
  const otherProject = await raw(url, { headers: { authorization: 'Basic ' + Buffer.from(`project-test-other:${h.emu.secret}`).toString('base64') } })
  t.match(otherProject.body, { status_code: 401, error_type: 'unauthorized_credentials' }, 'wrong project id')
})

t.test('errors carry the HTTP status in status_code; bad input is a Stytch-shaped 400, never 500', async (t) => {
  const h = await startHarness(t)
  const auth = 'Basic ' + Buffer.from(`${h.emu.projectId}:${h.emu.secret}`).toString('base64')
  const post = async (path: string, body: string): Promise<{ status: number, body: any }> =>
    await raw(new URL(path, h.emu.url).toString(), { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body })

  const notFound = await raw(new URL('/v1/b2b/organizations/organization-test-missing', h.emu.url).toString(), { headers: { authorization: auth } })
  t.equal(notFound.status, 404)
  t.match(notFound.body, { ...ERROR_BODY, status_code: 404, error_type: 'organization_not_found' })

  const cases: Array<[string, string, string]> = [
    ['malformed JSON', '/v1/b2b/magic_links/email/login_or_signup', '{"organization_id": "acme", '],
    ['wrong type', '/v1/b2b/magic_links/email/login_or_signup', JSON.stringify({ organization_id: 'acme', email_address: 42 })],
    ['missing required field', '/v1/b2b/magic_links/email/login_or_signup', JSON.stringify({ organization_id: 'acme' })],
    ['array body', '/v1/b2b/sessions/authenticate', '[]'],
    ['wrong nested type', '/v1/b2b/sessions/authenticate', JSON.stringify({ session_token: 'x', authorization_check: 'documents' })],
    ['malformed organizations.create', '/v1/b2b/organizations', '{oops']
  ]
  for (const [what, path, body] of cases) {
    const res = await post(path, body)
    t.equal(res.status, 400, `${what}: HTTP 400`)
    t.match(res.body, { ...ERROR_BODY, status_code: 400, error_type: /^(invalid_argument|bad_request)$/ }, `${what}: Stytch error body`)
  }
  const unknownRoute = await raw(new URL('/v1/b2b/no/such/route', h.emu.url).toString(), { headers: { authorization: auth } })
  t.equal(unknownRoute.status, 404)
  t.match(unknownRoute.body, { ...ERROR_BODY, status_code: 404 }, 'unknown routes are Stytch-shaped too')
})

t.test('the outbox records every link, filters by email and resets', async (t) => {
  const h = await startHarness(t)
  await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'viewer@acme.test' })
  await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'fresh@acme.test' })
  await h.client.magicLinks.email.invite({ organization_id: 'globex', email_address: 'guest@partner.test' })
  const all = await outbox(h.emu)
  t.same(all.map((m) => [m.email_address, m.type]), [['viewer@acme.test', 'login'], ['fresh@acme.test', 'signup'], ['guest@partner.test', 'invite']],
    'newest last, with types')
  for (const m of all) {
    t.match(m, { organization_id: /\S/, organization_slug: /^(acme|globex)$/, member_id: /\S/, link: /^https?:\/\//, token: /\S/, redirect_url: /^https?:\/\//, sent_at: RFC3339 })
  }
  t.same((await outbox(h.emu, 'fresh@acme.test')).map((m) => m.type), ['signup'], '?email= filters')
  t.same(await outbox(h.emu, 'nobody@acme.test'), [])

  const reset = await control(h.emu, 'POST', '/emulator/reset')
  t.same(reset.body, { ok: true })
  t.same(await outbox(h.emu), [], 'reset empties the outbox')
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: 'acme', email_address: 'fresh@acme.test' }),
    { status_code: 404, error_type: 'member_not_found' }, 'reset wipes state')
  t.equal((await h.client.organizations.members.get({ organization_id: 'acme', email_address: 'admin@acme.test' })).member.name, 'Acme Admin', 'and re-seeds')
  t.equal((await readCalls(h.emu)).total, 2, 'reset zeroes the call counters')
})

t.test('reset also drops orgs, sessions, faults and the clock offset', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  await h.client.organizations.create({ organization_name: 'Temp', organization_slug: 'temp' })
  await control(h.emu, 'POST', '/emulator/config', { clock_offset_seconds: 7200 })
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: 'GET /v1/b2b/rbac/policy', error_rate: 1 })
  await control(h.emu, 'POST', '/emulator/reset')
  await rejectsStytch(t, h.client.organizations.get({ organization_id: 'temp' }), { status_code: 404, error_type: 'organization_not_found' })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token }), { status_code: 404, error_type: 'session_not_found' })
  t.equal((await h.client.rbac.policy()).status_code, 200, 'faults cleared')
  const fresh = await login(h, 'viewer@acme.test')
  t.ok(Math.abs(Date.parse(fresh.member_session?.started_at ?? '') - Date.now()) < 10_000, 'clock offset cleared')
})

t.test('/emulator/calls counts Stytch calls by method and route template', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'editor@acme.test')
  await resetCalls(h.emu)
  t.same(await readCalls(h.emu), { calls: {}, total: 0 }, 'zeroed')
  await h.client.sessions.authenticate({ session_token: session.session_token })
  await h.client.sessions.authenticate({ session_jwt: session.session_jwt })
  await h.client.organizations.get({ organization_id: 'acme' })
  await h.client.organizations.get({ organization_id: 'globex' })
  await h.client.organizations.members.get({ organization_id: 'acme', email_address: 'viewer@acme.test' })
  await rejectsStytch(t, h.client.organizations.get({ organization_id: 'nope' }), { status_code: 404, error_type: 'organization_not_found' })
  await newClient(t, h.emu).sessions.authenticateJwtLocal({ session_jwt: session.session_jwt })
  await control(h.emu, 'GET', '/emulator/outbox')
  const counts = await readCalls(h.emu)
  t.equal(callCount(counts, SESSIONS_AUTHENTICATE), 2)
  t.equal(callCount(counts, JWKS_ROUTE), 1, 'the unauthenticated JWKS fetch counts')
  const orgGet = Object.entries(counts.calls).filter(([key]) => /^GET \/v1\/b2b\/organizations\/:\w+$/.test(key))
  t.same(orgGet.map(([, n]) => n), [3], 'three organizations.get under one template key, failures included')
  t.ok(Object.keys(counts.calls).some((key) => /^GET \/v1\/b2b\/organizations\/:\w+\/member$/.test(key)), 'members.get template')
  t.notOk(Object.keys(counts.calls).some((key) => key.includes('/emulator/')), '/emulator/* is not counted')
  t.equal(counts.total, Object.values(counts.calls).reduce((a, b) => a + b, 0), 'total is the sum')
  t.equal(counts.total, 7)
})

t.test('faults: latency and targeted endpoints', async (t) => {
  const h = await startHarness(t)
  const set = await control(h.emu, 'POST', '/emulator/faults', { endpoint: 'GET /v1/b2b/rbac/policy', latency_ms: 1000 })
  t.equal(set.status, 200)
  let started = Date.now()
  t.equal((await h.client.rbac.policy()).status_code, 200)
  t.ok(Date.now() - started >= 950, 'the targeted endpoint is delayed')
  started = Date.now()
  await h.client.organizations.get({ organization_id: 'acme' })
  t.ok(Date.now() - started < 800, 'other endpoints are not')
  started = Date.now()
  await control(h.emu, 'GET', '/emulator/calls')
  t.ok(Date.now() - started < 800, 'control routes are never faulted')
  t.equal((await control(h.emu, 'DELETE', '/emulator/faults')).status, 200)
  started = Date.now()
  await h.client.rbac.policy()
  t.ok(Date.now() - started < 800, 'cleared')
})

t.test('faults: error_rate with error_status surfaces as StytchError', async (t) => {
  const h = await startHarness(t)
  await control(h.emu, 'POST', '/emulator/faults', { error_rate: 1 })
  await rejectsStytch(t, h.client.organizations.get({ organization_id: 'acme' }), { status_code: 500, error_type: 'internal_server_error' }, 'default 500')
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: SESSIONS_AUTHENTICATE, error_rate: 1, error_status: 503 })
  const err = await rejectsStytch(t, h.client.sessions.authenticate({ session_token: 'x' }), { status_code: 503, error_type: /\S/ }, 'chosen status')
  t.ok(err instanceof StytchError)
  await control(h.emu, 'DELETE', '/emulator/faults')
  await control(h.emu, 'POST', '/emulator/faults', { error_rate: 0 })
  t.equal((await h.client.organizations.get({ organization_id: 'acme' })).status_code, 200, 'error_rate 0 never fails')
  await control(h.emu, 'POST', '/emulator/faults', { error_rate: 0.5 })
  const outcomes = await Promise.allSettled(Array.from({ length: 40 }, async () => await h.client.rbac.policy()))
  const failed = outcomes.filter((o) => o.status === 'rejected').length
  t.ok(failed > 0 && failed < 40, `error_rate 0.5 fails some calls (${failed}/40)`)
})

t.test('faults: malformed bodies and connection resets surface as RequestError', async (t) => {
  const h = await startHarness(t)
  await control(h.emu, 'POST', '/emulator/faults', { malformed: true })
  await rejectsRequest(t, h.client.organizations.get({ organization_id: 'acme' }), /^Unable to parse JSON response from server/, 'malformed')
  await rejectsRequest(t, h.client.sessions.authenticate({ session_token: 'x' }), /^Unable to parse JSON response from server/, 'malformed POST')
  await control(h.emu, 'DELETE', '/emulator/faults')

  await control(h.emu, 'POST', '/emulator/faults', { endpoint: SESSIONS_AUTHENTICATE, down: 'reset' })
  await rejectsRequest(t, h.client.sessions.authenticate({ session_token: 'x' }), /fetch failed/, 'reset')
  t.equal((await h.client.organizations.get({ organization_id: 'acme' })).status_code, 200, 'other endpoints unaffected')
  await control(h.emu, 'DELETE', '/emulator/faults')
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: 'x' }), { status_code: 404, error_type: 'session_not_found' }, 'back after clearing')
})

t.test('faults: down refuse, and a global outage also takes the JWKS down', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  const set = await control(h.emu, 'POST', '/emulator/faults', { down: 'refuse' })
  t.equal(set.status, 200)
  await rejectsRequest(t, h.client.organizations.get({ organization_id: 'acme' }), /fetch failed/, 'refuse')
  await rejectsClient(t, newClient(t, h.emu).sessions.authenticateJwtLocal({ session_jwt: session.session_jwt }), 'jwt_invalid', 'JWKS unreachable')
  t.equal((await control(h.emu, 'DELETE', '/emulator/faults')).status, 200, 'the control route still answers')
  const local = await newClient(t, h.emu).sessions.authenticateJwtLocal({ session_jwt: session.session_jwt })
  t.equal(local.member_id, session.member_id, 'JWKS back')

  await control(h.emu, 'POST', '/emulator/faults', { endpoint: JWKS_ROUTE, down: 'reset' })
  await rejectsClient(t, newClient(t, h.emu).sessions.authenticateJwtLocal({ session_jwt: session.session_jwt }), 'jwt_invalid', 'targeted JWKS reset')
  t.equal((await h.client.organizations.get({ organization_id: 'acme' })).status_code, 200)
})
