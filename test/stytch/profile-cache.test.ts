import t from 'tap'
import { createProfileCache } from '../../src/stytch/profile-cache.js'

const clock = () => {
  let now = 1_000
  return { now: () => now, advance: (ms: number) => { now += ms } }
}

t.test('entries live for the TTL, then are read again', async (t) => {
  const c = clock()
  const cache = createProfileCache<string>({ ttlMs: 30_000, maxEntries: 10, now: c.now })
  let fetches = 0
  const fetch = async () => `v${++fetches}`
  t.equal(await cache.load('org', 'm1', fetch), 'v1')
  c.advance(29_999)
  t.equal(await cache.load('org', 'm1', fetch), 'v1', 'within the TTL: cached')
  c.advance(1)
  t.equal(cache.get('org', 'm1'), undefined, 'expired')
  t.equal(await cache.load('org', 'm1', fetch), 'v2')
  t.equal(fetches, 2)
})

t.test('keys are per organization and member', async (t) => {
  const cache = createProfileCache<string>({ ttlMs: 1000, maxEntries: 10 })
  cache.set('org-a', 'm1', 'a')
  cache.set('org-b', 'm1', 'b')
  t.equal(cache.get('org-a', 'm1'), 'a')
  t.equal(cache.get('org-b', 'm1'), 'b')
  cache.delete('org-a', 'm1')
  t.equal(cache.get('org-a', 'm1'), undefined)
  t.equal(cache.get('org-b', 'm1'), 'b', 'the other is kept')
})

t.test('bounded: the least recently used entry is evicted', async (t) => {
  const cache = createProfileCache<number>({ ttlMs: 60_000, maxEntries: 3 })
  cache.set('o', 'a', 1)
  cache.set('o', 'b', 2)
  cache.set('o', 'c', 3)
  t.equal(cache.get('o', 'a'), 1, 'a is now the most recently used')
  cache.set('o', 'd', 4)
  t.equal(cache.size, 3)
  t.equal(cache.get('o', 'b'), undefined, 'b was least recently used')
  t.same(['a', 'c', 'd'].map((m) => cache.get('o', m)), [1, 3, 4])
})

t.test('a read that raced a change is returned but not kept', async (t) => {
  const cache = createProfileCache<string>({ ttlMs: 60_000, maxEntries: 10 })
  let release: (value: string) => void = () => {}
  const slow = cache.load('o', 'm', async () => await new Promise<string>((resolve) => { release = resolve }))
  cache.delete('o', 'm') // e.g. updateMe finished while the read was in flight
  release('stale')
  t.equal(await slow, 'stale')
  t.equal(cache.get('o', 'm'), undefined, 'the possibly stale answer was not cached')
  t.equal(await cache.load('o', 'm', async () => 'fresh'), 'fresh')
  t.equal(cache.get('o', 'm'), 'fresh')
})
