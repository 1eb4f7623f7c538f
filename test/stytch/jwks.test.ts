// The JWKS cache through its clock seam, with the real SDK against the emulator: what a lookup of an
// unknown kid costs (JWKS fetches) and what it answers, around key rotations, junk kids and outages.
import t, { type Test } from 'tap'
import { decodeProtectedHeader } from 'jose'
import { generateSigningKey } from '../../src/emulator/keys.js'
import { createJwksCache, type JwksCache, type JwksCacheOptions, type KeyLookup } from '../../src/stytch/jwks.js'
import { callCount, control, JWKS_ROUTE, login, readCalls, startHarness, type Harness } from '../emulator/helper.js'

/** A clock tests move by hand. */
function manualClock (start = Date.now()) {
  let at = start
  return { now: () => at, advance: (ms: number) => { at += ms } }
}

async function setup (t: Test, options: Partial<JwksCacheOptions> = {}) {
  const h = await startHarness(t)
  const clock = manualClock()
  const cache = createJwksCache({ client: h.client, projectId: h.emu.projectId, now: clock.now, ...options })
  await cache.refresh()
  return { h, clock, cache, fetches: async () => callCount(await readCalls(h.emu), JWKS_ROUTE) }
}

const statusOf = async (cache: JwksCache, kid: string): Promise<KeyLookup['status']> => (await cache.lookup(kid)).status

async function rotate (h: Harness): Promise<string> {
  return (await control<{ kid: string }>(h.emu, 'POST', '/emulator/keys/rotate')).body.kid
}

t.test('a published kid is found without a fetch; refresh shares one fetch between callers', async (t) => {
  const { h, cache, fetches } = await setup(t)
  t.ok(cache.loaded)
  const kid = h.emu.state.keys.current.kid
  const found = cache.lookup(kid)
  t.notOk(found instanceof Promise, 'a known kid is answered synchronously')
  t.equal((found as KeyLookup).status, 'found')
  t.ok(cache.has(kid))
  t.equal(await fetches(), 1, 'only the initial load')
  await Promise.all([cache.refresh(), cache.refresh(), cache.refresh()])
  t.equal(await fetches(), 2, 'three concurrent refreshes, one fetch')
})

t.test('an unknown kid: one fetch settles it as absent, and repeating it costs nothing', async (t) => {
  const { cache, clock, fetches } = await setup(t, { refetchFloorMs: 1000, absentTrustMs: 60_000 })
  clock.advance(1000)
  t.equal(await statusOf(cache, 'jwk-test-junk'), 'absent', 'fetched (floor passed) and not listed')
  t.equal(await fetches(), 2)
  for (let i = 0; i < 20; i++) {
    clock.advance(1500)
    t.equal(await statusOf(cache, 'jwk-test-junk'), 'absent')
  }
  t.equal(await fetches(), 2, 'the same junk kid for 30 s: no further fetch')
  clock.advance(60_000)
  t.equal(await statusOf(cache, 'jwk-test-junk'), 'absent', 'past absentTrustMs: rechecked once')
  t.equal(await statusOf(cache, 'jwk-test-junk'), 'absent')
  t.equal(await fetches(), 3, 'one recheck, then trusted again')
})

t.test('within the floor an unknown kid is unchecked, not absent, and costs no fetch', async (t) => {
  const { cache, clock, fetches } = await setup(t, { refetchFloorMs: 1000 })
  clock.advance(400)
  const lookup = await cache.lookup('jwk-test-early')
  t.same(lookup, { status: 'unchecked', retryAfterMs: 600 })
  t.equal(await fetches(), 1, 'no fetch inside the floor')
  clock.advance(600)
  t.equal(await statusOf(cache, 'jwk-test-early'), 'absent', 'the first lookup after the floor fetches and settles it')
  t.equal(await fetches(), 2)
})

t.test('a junk kid just before a rotation does not hide the new key (issue 14 item 3)', async (t) => {
  const { h, cache, clock, fetches } = await setup(t, { refetchFloorMs: 1000 })
  clock.advance(5000)
  t.equal(await statusOf(cache, 'jwk-test-junk-before-rotation'), 'absent', 'the junk request fetched the set')
  t.equal(await fetches(), 2)
  const newKid = await rotate(h)
  clock.advance(100)
  t.match(await cache.lookup(newKid), { status: 'unchecked', retryAfterMs: 900 }, 'inside the floor: cannot check yet — not absent')
  clock.advance(900)
  t.equal(await statusOf(cache, newKid), 'found', 'the first fetch after the floor finds the new key')
  t.equal(await fetches(), 3)
  t.equal(await statusOf(cache, 'jwk-test-junk-before-rotation'), 'absent', 'the junk kid stays absent')
})

t.test('a kid first seen while a fetch is in flight waits for it, but only a later fetch can call it absent', async (t) => {
  const { h, cache, clock, fetches } = await setup(t, { refetchFloorMs: 1000 })
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: JWKS_ROUTE, latency_ms: 300 })
  const next = await generateSigningKey()
  clock.advance(1000)
  const slow = cache.refresh()
  clock.advance(10)
  // Rotate in-process, at once: the slow fetch reads the set after its latency, so it lists the new key.
  h.emu.state.keys.previous.unshift(h.emu.state.keys.current)
  h.emu.state.keys.current = next
  const newKid = next.kid
  const [junk, rotated] = await Promise.all([cache.lookup('jwk-test-during-fetch'), cache.lookup(newKid)])
  await slow
  await control(h.emu, 'DELETE', '/emulator/faults')
  t.equal(await fetches(), 2, 'both lookups joined the fetch in flight')
  t.equal(rotated.status, 'found', 'the fetch in flight found the new key')
  t.match(junk, { status: 'unchecked' }, 'a fetch that started before the kid was seen cannot prove it unpublished')
  clock.advance(1000)
  t.equal(await statusOf(cache, 'jwk-test-during-fetch'), 'absent', 'the next fetch after the floor settles it')
  t.equal(await fetches(), 3)
})

t.test('a flood of distinct junk kids costs at most one fetch per floor', async (t) => {
  const { cache, clock, fetches } = await setup(t, { refetchFloorMs: 1000 })
  clock.advance(1000)
  const seen: Array<KeyLookup['status']> = []
  // 10 simulated seconds, 50 fresh kids per 100 ms, concurrently.
  for (let step = 0; step < 100; step++) {
    const batch = await Promise.all(Array.from({ length: 50 }, async (_, i) => await statusOf(cache, `jwk-test-flood-${step}-${i}`)))
    seen.push(...batch)
    clock.advance(100)
  }
  const count = await fetches()
  t.ok(count - 1 <= 10, `5,000 junk kids over 10 s: ${count - 1} fetches (≤ 10)`)
  t.notOk(seen.includes('found'))
  t.ok(seen.includes('absent') && seen.includes('unchecked'))
  t.equal(await statusOf(cache, 'jwk-test-flood-0-1'), 'absent', 'settled by a later fetch, remembered')
})

t.test('remembered kids are bounded: the oldest are forgotten first', async (t) => {
  const { cache, clock, fetches } = await setup(t, { refetchFloorMs: 1000, maxUnknownKids: 3 })
  clock.advance(100)
  for (const kid of ['a', 'b', 'c', 'd']) t.equal(await statusOf(cache, `jwk-test-${kid}`), 'unchecked')
  clock.advance(1000)
  t.equal(await statusOf(cache, 'jwk-test-d'), 'absent', 'one fetch settles the remembered ones')
  t.equal(await statusOf(cache, 'jwk-test-b'), 'absent')
  t.equal(await fetches(), 2)
  clock.advance(100)
  t.equal(await statusOf(cache, 'jwk-test-a'), 'unchecked', 'forgotten (over the bound): first seen again')
})

t.test('a failed fetch: keys kept, unknown kids unchecked (never absent), settled once Stytch is back', async (t) => {
  const { h, cache, clock, fetches } = await setup(t, { refetchFloorMs: 1000 })
  const kid = h.emu.state.keys.current.kid
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: JWKS_ROUTE, down: 'reset' })
  const newKid = await rotate(h)
  clock.advance(1000)
  t.match(await cache.lookup(newKid), { status: 'unchecked', retryAfterMs: 1000 }, 'the fetch failed: cannot check yet')
  await t.rejects(cache.refresh(), 'an explicit refresh reports the failure')
  t.equal((await cache.lookup(kid)).status, 'found', 'the keys already known are kept')
  clock.advance(500)
  t.equal(await statusOf(cache, newKid), 'unchecked', 'inside the floor after the failure: no fetch')
  await control(h.emu, 'DELETE', '/emulator/faults')
  clock.advance(500)
  t.equal(await statusOf(cache, newKid), 'found')
  t.equal(await fetches(), 4, 'the initial load, two failed fetches (one per floor), one that succeeds')
})

t.test('before the first load every kid is unchecked, and the first lookup loads the set', async (t) => {
  const h = await startHarness(t)
  const clock = manualClock()
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: JWKS_ROUTE, down: 'refuse' })
  const cache = createJwksCache({ client: h.client, projectId: h.emu.projectId, now: clock.now })
  const kid = h.emu.state.keys.current.kid
  t.equal(await statusOf(cache, kid), 'unchecked')
  t.notOk(cache.loaded)
  await control(h.emu, 'DELETE', '/emulator/faults')
  clock.advance(1000)
  t.equal(await statusOf(cache, kid), 'found')
  t.ok(cache.loaded)
})

t.test('a key dropped by a later fetch is retired, not absent: genuine old JWTs stay recognisable', async (t) => {
  const { h, cache, clock } = await setup(t, { refetchFloorMs: 1000 })
  const session = await login(h, 'viewer@acme.test')
  const oldKid = decodeProtectedHeader(session.session_jwt).kid as string
  await rotate(h)
  await control(h.emu, 'DELETE', `/emulator/keys/${encodeURIComponent(oldKid)}`)
  clock.advance(1000)
  await cache.refresh()
  t.notOk(cache.has(oldKid))
  const lookup = await cache.lookup(oldKid)
  t.equal(lookup.status, 'retired')
  t.ok('key' in lookup && lookup.key !== undefined, 'with its key, to check the signature')
})
