/** Issue 13: /metrics after a journey, parsed; protected by METRICS_TOKEN. */
import t from 'tap'
import { buildApp, loginForTokens } from '../helper.js'

/** Prometheus text exposition → sample name{labels} → value. */
function parse (text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    samples.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return samples
}

t.test('a journey moves the counters', async (t) => {
  const ctx = await buildApp(t, { env: { RATE_LIMIT_LOGIN_PER_IP: '3' } })
  const { session_jwt: jwt, session_token: token } = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${jwt}` } })).statusCode, 200)
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: { authorization: 'Bearer nope-not-a-token' } })).statusCode, 401)
  const send = { method: 'POST' as const, url: '/v1/auth/magic-links/send', payload: { email_address: 'x@acme.test', organization: 'acme' } }
  for (let i = 0; i < 3; i++) await ctx.app.inject(send)
  const scrape = await ctx.app.inject('/metrics')
  t.equal(scrape.statusCode, 200)
  t.match(scrape.headers['content-type'], /text\/plain/)
  const m = parse(scrape.body)
  t.equal(m.get('auth_outcomes_total{path="fast",outcome="accepted"}'), 1, 'the JWT request: fast, accepted')
  t.equal(m.get('auth_outcomes_total{path="slow",outcome="accepted"}'), 1, 'the session token: slow, accepted')
  t.ok([...m.keys()].some((k) => k.startsWith('auth_outcomes_total{') && !k.includes('outcome="accepted"')), 'the unknown token: refused with its reason')
  t.ok((m.get('rate_limit_rejections_total{route="/v1/auth/magic-links/send"}') ?? 0) >= 1, 'a 429 counted by route template')
  t.ok((m.get('session_refresh_single_flight_total{how="led"}') ?? 0) >= 1, 'the slow path led its call')
  t.ok((m.get('stytch_call_duration_seconds_count{endpoint="session",outcome="ok"}') ?? 0) >= 1, 'Stytch call latency by endpoint')
  t.equal(m.get('http_request_duration_seconds_count{method="GET",route="/v1/me",status_code="200"}'), 2, 'requests by route template and status')
  t.equal(m.get('revocation_store_healthy'), 1)
  t.ok(m.has('revocation_list_size'))
  t.equal(m.get('db_pool_connections{state="total"}'), 1, 'PGlite: one connection')
})

t.test('METRICS_TOKEN: bearer required', async (t) => {
  const ctx = await buildApp(t, { env: { METRICS_TOKEN: 'a-metrics-token-0123456789' } })
  t.equal((await ctx.app.inject('/metrics')).statusCode, 401)
  t.equal((await ctx.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789xx' } })).statusCode, 401)
  t.equal((await ctx.app.inject({ url: '/metrics', headers: { authorization: 'Bearer a-metrics-token-0123456789' } })).statusCode, 200)
})
