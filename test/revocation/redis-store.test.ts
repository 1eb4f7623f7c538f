import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { createRedisRevocationStore, type RedisRevocationStoreOptions, type RevocationStore } from '../../src/revocation/store.js'
import { REDIS_URL, canRun, captureLog, percentile, rawClient, redisUnreachable, testPrefix, waitFor } from './redis-helper.js'

const HOUR = 3_600_000

/** A started store, closed at teardown. */
async function startStore (t: Test, options: Omit<RedisRevocationStoreOptions, 'url'> & { url?: string }): Promise<RevocationStore> {
  const store = createRedisRevocationStore({ url: REDIS_URL, ...options })
  t.teardown(() => store.close())
  await store.start()
  return store
}

/** A raw client on the shared server, closed at teardown. */
async function raw (t: Test): Promise<ReturnType<typeof rawClient>> {
  const client = rawClient(REDIS_URL)
  t.teardown(() => { client.disconnect() })
  await client.connect()
  return client
}

if (canRun(t, await redisUnreachable(), 'the Redis revocation store tests')) {
  t.test('a revoke on A is refused on B as soon as it resolves (200 trials)', async (t) => {
    const prefix = testPrefix(t)
    const logA = captureLog()
    const logB = captureLog()
    const a = await startStore(t, { prefix, log: logA })
    const b = await startStore(t, { prefix, log: logB })
    t.equal(a.healthy, true)
    t.equal(b.healthy, true)

    const trials = 200
    const latencies: number[] = []
    let missed = 0
    for (let i = 0; i < trials; i++) {
      // Alternate directions: both instances must hold read-your-writes for the other.
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a]
      const sessionId = `member-session-test-${randomUUID()}`
      const started = performance.now()
      await from.revoke(sessionId, Date.now() + HOUR)
      latencies.push(performance.now() - started)
      if (!to.isRevoked(sessionId)) missed++
    }
    t.equal(missed, 0, 'the peer refused the session right when revoke() resolved, every time')
    t.equal(a.size, trials)
    t.equal(b.size, trials)
    const timeouts = [...logA.warns, ...logB.warns].filter((w) => w.msg.includes('not acknowledged'))
    t.equal(timeouts.length, 0, 'no revoke fell back on its ack timeout')

    latencies.sort((x, y) => x - y)
    const ms = (n: number): string => `${n.toFixed(2)} ms`
    t.comment(`revoke() → peer applied, ${trials} trials: p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(percentile(latencies, 0.99))}, max ${ms(latencies[latencies.length - 1] ?? NaN)}`)
  })

  t.test('a store started later loads the live entries, not the expired ones', async (t) => {
    const prefix = testPrefix(t)
    const a = await startStore(t, { prefix })
    await a.revoke('live', Date.now() + HOUR)
    await a.revoke('short', Date.now() + 200)
    t.equal(a.isRevoked('short'), true)
    // Members written by hand: one expired long ago, one live (as another deployment would).
    const client = await raw(t)
    await client.zadd(`${prefix}revocations`, Date.now() - 1000, 'expired-by-hand', Date.now() + HOUR, 'live-by-hand')
    await waitFor(() => !a.isRevoked('short'), 2000, 'the short entry to expire')

    const c = await startStore(t, { prefix })
    t.equal(c.healthy, true)
    t.equal(c.isRevoked('live'), true)
    t.equal(c.isRevoked('live-by-hand'), true)
    t.equal(c.isRevoked('short'), false)
    t.equal(c.isRevoked('expired-by-hand'), false)
    t.equal(c.size, 2, 'expired entries are not even loaded')
    t.equal(await client.zscore(`${prefix}revocations`, 'expired-by-hand'), null, 'loading prunes expired members')
  })

  t.test('revoking with an untilMs already past shares nothing', async (t) => {
    const prefix = testPrefix(t)
    const a = await startStore(t, { prefix })
    await a.revoke('old', Date.now() - 1)
    t.equal(a.isRevoked('old'), false)
    const client = await raw(t)
    t.equal(await client.zcard(`${prefix}revocations`), 0)
  })

  t.test('the loaded set is bounded by maxEntries, keeping the latest expiries', async (t) => {
    const prefix = testPrefix(t)
    const client = await raw(t)
    const base = Date.now() + HOUR
    await client.zadd(`${prefix}revocations`, base + 5, 'e5', base + 1, 'e1', base + 4, 'e4', base + 2, 'e2', base + 3, 'e3')
    const c = await startStore(t, { prefix, maxEntries: 3 })
    t.equal(c.size, 3)
    t.same(['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => c.isRevoked(id)), [false, false, true, true, true])
  })

  t.test('a subscriber that never acks costs ackTimeoutMs, not a hang', async (t) => {
    const prefix = testPrefix(t)
    const log = captureLog()
    const a = await startStore(t, { prefix, ackTimeoutMs: 150, log })
    const silent = await raw(t)
    await silent.subscribe(`${prefix}revocations`)

    const started = performance.now()
    await a.revoke('s1', Date.now() + HOUR)
    const elapsed = performance.now() - started
    t.ok(elapsed >= 140 && elapsed < 1000, `resolved after ${elapsed.toFixed(0)} ms`)
    t.equal(a.isRevoked('s1'), true)
    const warn = log.warns.find((w) => w.msg.includes('not acknowledged'))
    t.match(warn?.obj, { sessionId: 's1', acked: 1, expected: 2, ackTimeoutMs: 150 })
  })

  t.test('junk on the channels is ignored', async (t) => {
    const prefix = testPrefix(t)
    const a = await startStore(t, { prefix })
    const b = await startStore(t, { prefix })
    const client = await raw(t)
    for (const junk of ['not json', '{}', '{"id":"x","sessionId":"s","untilMs":"soon","from":"y"}']) {
      await client.publish(`${prefix}revocations`, junk)
      await client.publish(`${prefix}revocations:ack`, junk)
    }
    await a.revoke('after-junk', Date.now() + HOUR)
    t.equal(b.isRevoked('after-junk'), true)
    t.equal(b.size, 1)
    t.equal(a.healthy && b.healthy, true)
  })

  t.test('a revoke before start() is applied at once and shared at start', async (t) => {
    const prefix = testPrefix(t)
    const early = createRedisRevocationStore({ url: REDIS_URL, prefix })
    t.teardown(() => early.close())
    t.equal(early.healthy, false)
    await early.revoke('early', Date.now() + HOUR)
    t.equal(early.isRevoked('early'), true)
    await early.start()
    t.equal(early.healthy, true)
    const later = await startStore(t, { prefix })
    t.equal(later.isRevoked('early'), true)
  })

  t.test('a sync Redis refuses (not a dropped connection) settles start() and is retried', async (t) => {
    const prefix = testPrefix(t)
    const client = await raw(t)
    await client.set(`${prefix}revocations`, 'not a sorted set')
    const log = captureLog()
    const store = await startStore(t, { prefix, log })
    t.equal(store.healthy, false, 'the set could not be loaded')
    t.ok(log.warns.some((w) => w.msg.includes('sync with Redis failed')))
    await client.del(`${prefix}revocations`)
    await waitFor(() => store.healthy, 3000, 'healthy once the key is fixed')
  })

  t.test('close() releases everything: a process that closed its store exits by itself', async (t) => {
    const prefix = testPrefix(t)
    const fixture = fileURLToPath(new URL('./fixtures/close-exits.ts', import.meta.url))
    const started = performance.now()
    // If close() left a socket or timer behind, the child would hang until the timeout kills it.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, REDIS_URL, prefix], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      timeout: 10_000
    })
    t.same(JSON.parse(stdout), { healthy: true, revoked: true })
    t.comment(`child exited ${(performance.now() - started).toFixed(0)} ms after spawn`)
  })

  t.test('close() while Redis is unreachable returns promptly too', async (t) => {
    const store = createRedisRevocationStore({ url: 'redis://127.0.0.1:1', prefix: 'test:unreachable:' })
    await store.start()
    t.equal(store.healthy, false)
    await store.revoke('x', Date.now() + HOUR)
    const started = performance.now()
    await store.close()
    t.ok(performance.now() - started < 500)
    t.equal(store.isRevoked('x'), true)
  })
}
