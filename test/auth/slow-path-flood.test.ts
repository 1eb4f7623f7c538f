import { randomBytes } from 'node:crypto'
import t from 'tap'
import { AUTHENTICATE, buildApp, emulatorCalls, emulatorPost, loginForTokens, startTestEmulator } from '../helper.js'
import { canRun, redisUnreachable, REDIS_URL, testPrefix } from '../revocation/redis-helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
/** A token in Stytch's format (44 URL-safe base64 characters) that Stytch never issued. */
const randomToken = (): string => randomBytes(33).toString('base64url')
/** The defaults of the flood guards, not the test helper's relaxed ones. */
const GUARDS = { SLOW_PATH_REJECTIONS_PER_IP: '20', RATE_LIMIT_AUTH_PER_IP: '60' }

async function inBatches<T> (count: number, size: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = []
  for (let i = 0; i < count; i += size) results.push(...await Promise.all(Array.from({ length: Math.min(size, count - i) }, async (_, j) => await fn(i + j))))
  return results
}

t.test('5,000 distinct random session tokens from one client cost at most 50 Stytch calls; a legitimate user is unaffected', async (t) => {
  const ctx = await buildApp(t, { env: { SLOW_PATH_REJECTIONS_PER_IP: GUARDS.SLOW_PATH_REJECTIONS_PER_IP } })
  const legit = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const statuses = await inBatches(5000, 10, async () => (await ctx.app.inject({ url: '/v1/me', headers: bearer(randomToken()), remoteAddress: '203.0.113.7' })).statusCode)
  const calls = (await emulatorCalls(ctx.emulator))[AUTHENTICATE] ?? 0
  t.ok(calls <= 50, `${calls} sessions.authenticate calls for 5,000 random tokens`)
  t.ok(statuses.every((s) => s === 401 || s === 429), 'every random token refused (401) or throttled (429), never accepted')
  t.ok(statuses.filter((s) => s === 429).length > 4000, 'most of the flood is throttled locally')
  const me = await ctx.app.inject({ url: '/v1/me', headers: bearer(legit.session_jwt), remoteAddress: '203.0.113.7' })
  t.equal(me.statusCode, 200, 'a valid JWT from the same address still works (the fast path is not throttled)')
  const refresh = await ctx.app.inject({ url: '/v1/me', headers: bearer(legit.session_token), remoteAddress: '198.51.100.2' })
  t.equal(refresh.statusCode, 200, 'another client\'s slow path is not throttled')
})

t.test('a rejected token is answered locally for a while; junk-format tokens never reach Stytch', async (t) => {
  const ctx = await buildApp(t)
  const token = randomToken()
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const first = await ctx.app.inject({ url: '/v1/me', headers: bearer(token) })
  t.equal(first.statusCode, 401)
  for (let i = 0; i < 5; i++) t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(token) })).json().code, first.json().code, 'same answer')
  t.equal((await emulatorCalls(ctx.emulator))[AUTHENTICATE], 1, 'one Stytch call for six requests')
  for (const junk of ['x'.repeat(39), 'a'.repeat(65), 'abc$def'.repeat(7)]) {
    t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(junk) })).statusCode, 401)
  }
  t.equal((await emulatorCalls(ctx.emulator))[AUTHENTICATE], 1, 'not Stytch\'s format: no call')
  const refresh = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: token } })
  t.equal(refresh.statusCode, 401, 'refreshSession shares the negative cache')
  t.equal((await emulatorCalls(ctx.emulator))[AUTHENTICATE], 1)
})

t.test('the bulkhead: beyond the concurrency cap and its queue, 503 identity_provider_busy with Retry-After at once', async (t) => {
  const ctx = await buildApp(t, { env: { STYTCH_MAX_CONCURRENT: '2', STYTCH_MAX_QUEUED: '1', STYTCH_QUEUE_TIMEOUT_MS: '5000' } })
  const sessions = []
  for (let i = 0; i < 6; i++) sessions.push(await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test'))
  await emulatorPost(ctx.emulator, 'emulator/faults', { latency_ms: 500 })
  const started = Date.now()
  const answers = await Promise.all(sessions.map(async (s) => await ctx.app.inject({ url: '/v1/me', headers: bearer(s.session_token) })))
  await emulatorPost(ctx.emulator, 'emulator/faults', undefined, 'DELETE')
  const busy = answers.filter((a) => a.statusCode === 503)
  t.equal(answers.filter((a) => a.statusCode === 200).length, 3, 'two in flight and one queued are served')
  t.equal(busy.length, 3, 'the rest are refused')
  for (const answer of busy) {
    t.equal(answer.json().code, 'identity_provider_busy')
    t.ok(Number(answer.headers['retry-after']) > 0, 'with Retry-After')
  }
  t.ok(Date.now() - started < 3000, 'nobody waited for long')
})

t.test('public auth routes are rate-limited per IP and per credential', async (t) => {
  const ctx = await buildApp(t, { env: { RATE_LIMIT_AUTH_PER_IP: '3', RATE_LIMIT_AUTH_PER_CREDENTIAL: '2' } })
  const ip = '192.0.2.10'
  const answers = []
  for (let i = 0; i < 4; i++) answers.push(await ctx.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: randomToken() }, remoteAddress: ip }))
  t.same(answers.map((a) => a.statusCode), [401, 401, 401, 429], 'the fourth request from one address is throttled')
  t.equal(answers[3]?.json().code, 'rate_limited')
  t.ok(Number(answers[3]?.headers['retry-after']) > 0)
  const token = randomToken()
  const perToken = []
  for (const from of ['192.0.2.21', '192.0.2.22', '192.0.2.23']) perToken.push((await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token }, remoteAddress: from })).statusCode)
  t.same(perToken, [401, 401, 429], 'one link token tried from three addresses: the third is throttled')
})

t.test('with REDIS_URL, auth rate-limit counters are shared by every instance', async (t) => {
  if (!canRun(t, await redisUnreachable(), 'shared rate-limit counters')) return
  const emulator = await startTestEmulator(t)
  const env = { REDIS_URL, REDIS_PREFIX: testPrefix(t), RATE_LIMIT_AUTH_PER_IP: '4' }
  const a = await buildApp(t, { emulator, env })
  const b = await buildApp(t, { emulator, env })
  const ip = '192.0.2.30'
  const statuses = []
  for (const instance of [a, b, a, b, a]) statuses.push((await instance.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: randomToken() }, remoteAddress: ip })).statusCode)
  t.same(statuses, [401, 401, 401, 401, 429], 'two instances count together')
  const other = await b.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: randomToken() }, remoteAddress: '192.0.2.31' })
  t.equal(other.statusCode, 401, 'other addresses are not throttled (their token is simply unknown)')
})
