import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

t.test('with a file: a new store on the same file knows the live entries; expired ones are not kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'revocations-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'revocations.json')
  let clock = 1000
  const first = createMemoryRevocationStore({ file, now: () => clock })
  await first.start()
  t.equal(first.size, 0, 'no file yet: an empty list')
  await first.revoke('session-a', 5000)
  await first.revoke('session-b', 2000)
  await first.close()
  t.equal(statSync(file).mode & 0o777, 0o600, 'owner-only')
  t.same(readdirSync(dir), ['revocations.json'], 'no temporary file left')

  clock = 3000
  const second = createMemoryRevocationStore({ file, now: () => clock })
  await second.start()
  t.ok(second.isRevoked('session-a'), 'a live entry survives the restart')
  t.notOk(second.isRevoked('session-b'), 'an expired one does not')
  await second.close()
})

t.test('with a file: a damaged file fails the start (fail closed); a failed write is logged, never thrown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'revocations-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'revocations.json')
  writeFileSync(file, '[["session-a", 5')
  await t.rejects(createMemoryRevocationStore({ file }).start(), /revocation list .*revocations\.json is damaged/)
  writeFileSync(file, '[["session-a", "soon"]]')
  await t.rejects(createMemoryRevocationStore({ file }).start(), /is damaged/)

  const warnings: string[] = []
  const blocked = join(dir, 'blocked')
  mkdirSync(blocked)
  const store = createMemoryRevocationStore({ file: blocked, log: { warn: (_obj, msg) => { warnings.push(msg) } } })
  await store.revoke('session-c', Date.now() + 60_000)
  t.ok(store.isRevoked('session-c'), 'the revoke holds in memory')
  t.match(warnings, [/could not save the revocation list/])
  await t.rejects(createMemoryRevocationStore({ file: blocked }).start(), /EISDIR/, 'an unreadable file is an error too')
})
