import t, { type Test } from 'tap'
import { AUTHENTICATE, buildApp, emulatorCalls, loginForTokens, startTestEmulator, type TestApp } from '../helper.js'
import { canRun, percentile, redisUnreachable, REDIS_URL, startRedisServer, testPrefix, waitFor } from '../revocation/redis-helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Two app instances sharing one emulator and one Redis (a key prefix of their own). */
async function twoInstances (t: Test, redisUrl = REDIS_URL): Promise<[TestApp, TestApp]> {
  const emulator = await startTestEmulator(t)
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: testPrefix(t, redisUrl) }
  return [await buildApp(t, { emulator, env }), await buildApp(t, { emulator, env })]
}

t.test('a revoke on instance A is refused by instance B on the very next request (200 trials)', async (t) => {
  if (!canRun(t, await redisUnreachable(), 'cross-instance revocation')) return
  const [a, b] = await twoInstances(t)
  const durations: number[] = []
  let refused = 0
  for (let trial = 0; trial < 200; trial++) {
    const login = await loginForTokens(a.app, a.emulator, 'viewer@acme.test')
    if ((await b.app.inject({ url: '/v1/me', headers: bearer(login.session_jwt) })).statusCode !== 200) t.fail('B accepts the fresh JWT first')
    const started = performance.now()
    const revoke = await a.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${login.session.member_session_id}`, headers: bearer(login.session_jwt) })
    durations.push(performance.now() - started)
    if (revoke.statusCode !== 204) t.fail(`revoke on A answered ${revoke.statusCode}`)
    const next = await b.app.inject({ url: '/v1/me', headers: bearer(login.session_jwt) })
    if (next.statusCode === 401 && next.json().code === 'session_revoked') refused++
  }
  t.equal(refused, 200, 'every trial: the still-unexpired JWT is refused by B at once')
  durations.sort((x, y) => x - y)
  t.comment(`revokeSession on A until every instance applied it (incl. the Stytch revoke): p50 ${percentile(durations, 0.5).toFixed(2)} ms, p99 ${percentile(durations, 0.99).toFixed(2)} ms, max ${(durations.at(-1) ?? 0).toFixed(2)} ms over ${durations.length} trials`)
})

t.test('revoke-all leaves no session usable on any instance; keep-current keeps exactly one', async (t) => {
  if (!canRun(t, await redisUnreachable(), 'cross-instance revoke-all')) return
  const [a, b] = await twoInstances(t)
  const sessions = [await loginForTokens(a.app, a.emulator, 'editor@acme.test'), await loginForTokens(b.app, b.emulator, 'editor@acme.test'), await loginForTokens(a.app, a.emulator, 'editor@acme.test')]
  const [current] = sessions as [typeof sessions[0]]
  const keep = await a.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(current.session_jwt), payload: { keep_current: true } })
  t.same(keep.json(), { revoked: 2 })
  for (const instance of [a, b]) {
    const usable = []
    for (const s of sessions) if ((await instance.app.inject({ url: '/v1/me', headers: bearer(s.session_jwt) })).statusCode === 200) usable.push(s.session.member_session_id)
    t.same(usable, [current.session.member_session_id], 'exactly the current session is usable')
  }
  await b.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(current.session_jwt), payload: {} })
  for (const instance of [a, b]) {
    for (const s of sessions) t.equal((await instance.app.inject({ url: '/v1/me', headers: bearer(s.session_jwt) })).statusCode, 401)
  }
})

t.test('an instance started later loads the revocations made before it', async (t) => {
  if (!canRun(t, await redisUnreachable(), 'late instance')) return
  const emulator = await startTestEmulator(t)
  const env = { REDIS_URL, REDIS_PREFIX: testPrefix(t) }
  const a = await buildApp(t, { emulator, env })
  const login = await loginForTokens(a.app, emulator, 'viewer@acme.test')
  await a.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(login.session_jwt) })
  const late = await buildApp(t, { emulator, env })
  const response = await late.app.inject({ url: '/v1/me', headers: bearer(login.session_jwt) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'session_revoked')
})

t.test('Redis down mid-run: fail closed (remote checks), no revoked session accepted; fast again when back', async (t) => {
  if (!canRun(t, await redisUnreachable(), 'Redis outage')) return
  const redis = await startRedisServer(t)
  const [a, b] = await twoInstances(t, redis.url)
  const alive = await loginForTokens(a.app, a.emulator, 'viewer@acme.test')
  const victim = await loginForTokens(a.app, a.emulator, 'editor@acme.test')
  await emulatorCallsReset(a)

  await redis.kill()
  await waitFor(() => !a.app.revocations.healthy && !b.app.revocations.healthy, 3000, 'both instances to notice')
  // Revoked on A while Redis is down: B cannot hear of it, so B must ask Stytch.
  t.equal((await a.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(victim.session_jwt) })).statusCode, 204)
  t.equal((await b.app.inject({ url: '/v1/me', headers: bearer(victim.session_jwt) })).statusCode, 401, 'B refuses the session revoked on A')
  t.equal((await a.app.inject({ url: '/v1/me', headers: bearer(victim.session_jwt) })).statusCode, 401)
  const ok = await b.app.inject({ url: '/v1/me', headers: bearer(alive.session_jwt) })
  t.equal(ok.statusCode, 200, 'valid sessions keep working through the remote check')
  t.ok(ok.headers['x-session-jwt'], 'the remote check hands back a fresh JWT')
  t.ok(((await emulatorCalls(a.emulator))[AUTHENTICATE] ?? 0) >= 2, 'JWT-only requests went to Stytch')

  await redis.restart()
  await waitFor(() => a.app.revocations.healthy && b.app.revocations.healthy, 5000, 'both instances to recover')
  await emulatorCallsReset(a)
  t.equal((await b.app.inject({ url: '/v1/me', headers: bearer(alive.session_jwt) })).statusCode, 200)
  t.equal((await b.app.inject({ url: '/v1/me', headers: bearer(victim.session_jwt) })).statusCode, 401, 'the revocation made during the outage reached B')
  t.equal((await emulatorCalls(a.emulator))[AUTHENTICATE] ?? 0, 0, 'back on the fast path: no Stytch call')
})

t.test('Redis down: a session B has just verified through Stytch is refused by B right after A revokes it (no remembered answer stands in)', async (t) => {
  if (!canRun(t, await redisUnreachable(), 'Redis outage, primed sessions')) return
  const redis = await startRedisServer(t)
  const [a, b] = await twoInstances(t, redis.url)
  const primed = await Promise.all(['viewer@acme.test', 'editor@acme.test', 'admin@acme.test'].map(async (email) => await loginForTokens(a.app, a.emulator, email)))
  await redis.kill()
  await waitFor(() => !a.app.revocations.healthy && !b.app.revocations.healthy, 3000, 'both instances to notice')
  for (const session of primed) {
    // B verifies through Stytch (fail closed) and could remember that answer for a few seconds.
    t.equal((await b.app.inject({ url: '/v1/me', headers: bearer(session.session_jwt) })).statusCode, 200, 'B accepts the live session')
    t.equal((await a.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(session.session_jwt) })).statusCode, 204)
    const after = await b.app.inject({ url: '/v1/me', headers: bearer(session.session_jwt) })
    t.equal(after.statusCode, 401, 'B refuses it on the next request')
    t.equal(after.json().code, 'session_revoked')
  }
})

async function emulatorCallsReset (ctx: TestApp): Promise<void> {
  await fetch(new URL('emulator/calls/reset', ctx.emulator.url), { method: 'POST' })
}
