import t from 'tap'
import { createMemoryRevocationStore } from '../../src/revocation/store.js'
import { createRevocationList } from '../../src/revocation/revocation-list.js'

t.test('memory store: revoke, expiry, always healthy', async (t) => {
  let clock = 1_000
  const store = createMemoryRevocationStore({ now: () => clock })
  await store.start()
  t.equal(store.healthy, true)
  t.equal(store.isRevoked('s1'), false)

  await store.revoke('s1', 2_000)
  t.equal(store.isRevoked('s1'), true)
  t.equal(store.isRevoked('s2'), false)
  t.equal(store.size, 1)

  clock = 2_000
  t.equal(store.isRevoked('s1'), false, 'an entry ends at untilMs')
  await store.revoke('s2', 3_000)
  t.equal(store.size, 1, 'expired entries are swept')

  await store.close()
  t.equal(store.healthy, true)
})

t.test('memory store: bounded, a later expiry wins', async (t) => {
  const store = createMemoryRevocationStore({ maxEntries: 2, now: () => 0 })
  await store.revoke('a', 10)
  await store.revoke('b', 10)
  await store.revoke('c', 10)
  t.equal(store.size, 2)
  t.equal(store.isRevoked('a'), false, 'the oldest entry is dropped')
  t.equal(store.isRevoked('c'), true)

  await store.revoke('b', 50)
  await store.revoke('b', 20)
  t.equal(store.isRevoked('b'), true)
})

t.test('revocation list: liveEntries lists unexpired entries, oldest first', async (t) => {
  let clock = 0
  const list = createRevocationList({ now: () => clock })
  list.revoke('a', 10)
  list.revoke('b', 30)
  list.revoke('c', 20)
  t.same([...list.liveEntries()], [['a', 10], ['b', 30], ['c', 20]])
  clock = 15
  t.same([...list.liveEntries()], [['b', 30], ['c', 20]])
})
