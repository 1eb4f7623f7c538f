import t, { type Test } from 'tap'
import { createRedisRevocationStore, type RedisRevocationStoreOptions, type RevocationStore } from '../../src/revocation/store.js'
import { canRun, captureLog, freePort, rawClient, redisServerMissing, startPartition, startRedisServer, waitFor } from './redis-helper.js'

// These tests kill and pause Redis, so each runs its own throwaway redis-server, never the shared one.

const HOUR = 3_600_000
const PREFIX = 'test:health:'

async function startStore (t: Test, options: RedisRevocationStoreOptions): Promise<RevocationStore> {
  const store = createRedisRevocationStore(options)
  t.teardown(() => store.close())
  await store.start()
  return store
}

if (canRun(t, await redisServerMissing(), 'the Redis outage tests')) {
  t.test('Redis killed and restarted: unhealthy at once, revokes queue, all healed on return', async (t) => {
    const server = await startRedisServer(t)
    const log = captureLog()
    const a = await startStore(t, { url: server.url, prefix: PREFIX, log })
    const peer = await startStore(t, { url: server.url, prefix: PREFIX })
    t.equal(a.healthy, true)
    await a.revoke('before', Date.now() + HOUR)
    t.equal(peer.isRevoked('before'), true)

    await server.kill()
    const downAfter = await waitFor(() => !a.healthy && !peer.healthy, 2000, 'healthy to turn false')
    t.comment(`healthy turned false ${downAfter.toFixed(0)} ms after the kill`)
    t.ok(log.warns.some((w) => w.msg.includes('cannot reach Redis')), 'the outage is logged')

    const started = performance.now()
    await a.revoke('during', Date.now() + HOUR)
    t.ok(performance.now() - started < 100, 'a revoke while Redis is down neither throws nor waits')
    t.equal(a.isRevoked('during'), true, 'and applies locally')
    t.equal(peer.isRevoked('during'), false, 'the peer cannot know yet: it is unhealthy, callers fail closed')

    // The restart loses everything (no persistence), as a crash of a cache-only Redis would.
    await server.restart()
    const upAfter = await waitFor(() => a.healthy && peer.healthy, 5000, 'healthy to turn true')
    t.comment(`healthy again ${upAfter.toFixed(0)} ms after the restart`)
    t.equal(peer.isRevoked('during'), true, 'the revocation queued while down reached the peer')

    const fresh = await startStore(t, { url: server.url, prefix: PREFIX })
    t.equal(fresh.isRevoked('during'), true, 'the entry revoked while down was re-added to the set')
    t.equal(fresh.isRevoked('before'), true, 'the entry the restart lost was re-added too')
  })

  t.test('an instance cut off alone publishes what it revoked meanwhile once it is back', async (t) => {
    const server = await startRedisServer(t)
    const partition = await startPartition(t, server.port)
    const a = await startStore(t, { url: partition.url, prefix: PREFIX })
    const peerLog = captureLog()
    const peer = await startStore(t, { url: server.url, prefix: PREFIX, log: peerLog })

    partition.cut()
    await waitFor(() => !a.healthy, 2000, 'A to turn unhealthy')
    t.equal(peer.healthy, true, 'the peer still reaches Redis')
    await a.revoke('partitioned', Date.now() + HOUR)
    t.equal(peer.isRevoked('partitioned'), false)

    partition.heal()
    await waitFor(() => a.healthy, 5000, 'A to turn healthy')
    // The peer never lost Redis, so it reloads nothing: only the queued publication can tell it.
    await waitFor(() => peer.isRevoked('partitioned'), 1000, 'the peer to learn of the revocation')
    t.equal(peer.healthy, true)
    t.equal(peerLog.warns.length, 0, 'the peer never saw an outage')
  })

  t.test('start() resolves while Redis is down, and the store heals when it comes up', async (t) => {
    const port = await freePort()
    const url = `redis://127.0.0.1:${port}`
    const store = createRedisRevocationStore({ url, prefix: PREFIX })
    t.teardown(() => store.close())
    const started = performance.now()
    await store.start()
    t.ok(performance.now() - started < 1000, 'start() did not wait for Redis')
    t.equal(store.healthy, false)
    await store.revoke('while-down', Date.now() + HOUR)

    await startRedisServer(t, port)
    await waitFor(() => store.healthy, 5000, 'healthy')
    const other = await startStore(t, { url, prefix: PREFIX })
    t.equal(other.isRevoked('while-down'), true)
  })

  t.test('a stalled server (no FIN, no answers) is caught by the heartbeat', async (t) => {
    const server = await startRedisServer(t)
    const store = await startStore(t, { url: server.url, prefix: PREFIX, heartbeatMs: 100 })
    t.equal(store.healthy, true)
    const admin = rawClient(server.url)
    t.teardown(() => { admin.disconnect() })
    await admin.connect()
    await admin.client('PAUSE', 1500, 'ALL')
    const downAfter = await waitFor(() => !store.healthy, 1000, 'healthy to turn false')
    t.comment(`unhealthy ${downAfter.toFixed(0)} ms into the pause`)
    await waitFor(() => store.healthy, 5000, 'healthy after the pause')
  })
}
