// The slow path's flood guard through its clock seam: the bounded negative cache of credentials
// Stytch rejected (expiry, eviction of the oldest) and the per-address budget of slow-path calls
// (spending, Retry-After, the window reset, refunds, the bound on tracked addresses).
import t from 'tap'
import { createSlowPathGuard, type SlowPathGuardOptions } from '../../src/auth/slow-path-guard.js'

function guardAt (start: number, options: Partial<SlowPathGuardOptions> = {}) {
  let at = start
  const guard = createSlowPathGuard({
    rejectedTtlMs: 60_000,
    maxRejected: 100,
    rejectionsPerIp: 3,
    windowMs: 60_000,
    maxClients: 100,
    now: () => at,
    ...options
  })
  return { guard, advance: (ms: number) => { at += ms } }
}

t.test('a rejected credential is answered locally until rejectedTtlMs has passed, then forgotten', async (t) => {
  const { guard, advance } = guardAt(1_000_000, { rejectedTtlMs: 10_000 })
  const error = new Error('session_not_found')
  t.equal(guard.knownRejection('token-a'), undefined, 'nothing known at first')
  guard.rememberRejection('token-a', error)
  t.equal(guard.knownRejection('token-a'), error, 'the very error Stytch gave')
  t.equal(guard.knownRejection('token-b'), undefined, 'another credential is not affected')
  advance(9_999)
  t.equal(guard.knownRejection('token-a'), error, 'still inside the TTL')
  advance(1)
  t.equal(guard.knownRejection('token-a'), undefined, 'at the TTL it is asked again')
  t.equal(guard.size.rejected, 0, 'and the expired entry is dropped')
})

t.test('remembering again restarts the TTL and keeps one entry per credential', async (t) => {
  const { guard, advance } = guardAt(0, { rejectedTtlMs: 10_000 })
  const first = new Error('first')
  const second = new Error('second')
  guard.rememberRejection('token-a', first)
  advance(8_000)
  guard.rememberRejection('token-a', second)
  t.equal(guard.size.rejected, 1)
  advance(8_000)
  t.equal(guard.knownRejection('token-a'), second, 'the newer error, 16 s after the first rejection')
})

t.test('the negative cache is bounded: the oldest credential is forgotten first', async (t) => {
  const { guard } = guardAt(0, { maxRejected: 3 })
  const errors = ['a', 'b', 'c', 'd'].map((name) => new Error(name))
  guard.rememberRejection('token-a', errors[0] as Error)
  guard.rememberRejection('token-b', errors[1] as Error)
  // Re-remembering moves token-a to the newest place: token-b is now the oldest.
  guard.rememberRejection('token-a', errors[0] as Error)
  guard.rememberRejection('token-c', errors[2] as Error)
  t.equal(guard.size.rejected, 3)
  guard.rememberRejection('token-d', errors[3] as Error)
  t.equal(guard.size.rejected, 3, 'never more than maxRejected')
  t.equal(guard.knownRejection('token-b'), undefined, 'the oldest was dropped')
  t.equal(guard.knownRejection('token-a'), errors[0])
  t.equal(guard.knownRejection('token-c'), errors[2])
  t.equal(guard.knownRejection('token-d'), errors[3])
})

t.test('a zero TTL remembers nothing usable', async (t) => {
  const { guard } = guardAt(0, { rejectedTtlMs: 0 })
  guard.rememberRejection('token-a', new Error('x'))
  t.equal(guard.knownRejection('token-a'), undefined)
})

t.test('each address has rejectionsPerIp units per window; beyond them, the seconds to wait', async (t) => {
  const { guard, advance } = guardAt(0, { rejectionsPerIp: 3, windowMs: 60_000 })
  t.same([guard.take('10.0.0.1'), guard.take('10.0.0.1'), guard.take('10.0.0.1')], [{ ok: true }, { ok: true }, { ok: true }])
  t.same(guard.take('10.0.0.1'), { ok: false, retryAfterSeconds: 60 }, 'spent: wait for the window to end')
  t.same(guard.take('10.0.0.2'), { ok: true }, 'another address has its own budget')
  advance(59_500)
  t.same(guard.take('10.0.0.1'), { ok: false, retryAfterSeconds: 1 }, 'half a second left: rounded up to 1 s')
  advance(499)
  t.same(guard.take('10.0.0.1'), { ok: false, retryAfterSeconds: 1 }, 'a millisecond left: still 1 s')
  advance(1)
  t.same(guard.take('10.0.0.1'), { ok: true }, 'a new window: a full budget again')
  t.same(guard.take('10.0.0.1'), { ok: true })
  t.same(guard.take('10.0.0.1'), { ok: true })
  t.match(guard.take('10.0.0.1'), { ok: false, retryAfterSeconds: 60 }, 'and the new window is counted from its start')
})

t.test('a refund gives a unit back, never more than was spent, and is a no-op for unknown addresses', async (t) => {
  const { guard } = guardAt(0, { rejectionsPerIp: 2 })
  guard.refund('10.0.0.9')
  t.equal(guard.size.clients, 0, 'a refund does not start tracking an address')
  guard.take('10.0.0.1')
  guard.take('10.0.0.1')
  t.match(guard.take('10.0.0.1'), { ok: false })
  guard.refund('10.0.0.1')
  t.same(guard.take('10.0.0.1'), { ok: true }, 'the refunded unit can be spent again')
  t.match(guard.take('10.0.0.1'), { ok: false })

  guard.refund('10.0.0.1')
  guard.refund('10.0.0.1')
  guard.refund('10.0.0.1')
  t.same(guard.take('10.0.0.1'), { ok: true })
  t.same(guard.take('10.0.0.1'), { ok: true })
  t.match(guard.take('10.0.0.1'), { ok: false }, 'refunds beyond what was spent do not grow the budget')
})

t.test('a refund after the window ended does not carry over to the new window', async (t) => {
  const { guard, advance } = guardAt(0, { rejectionsPerIp: 1, windowMs: 1000 })
  t.same(guard.take('10.0.0.1'), { ok: true })
  advance(1000)
  t.same(guard.take('10.0.0.1'), { ok: true }, 'a new window')
  guard.refund('10.0.0.1')
  t.same(guard.take('10.0.0.1'), { ok: true }, 'the refund applies to the current window')
  t.match(guard.take('10.0.0.1'), { ok: false })
})

t.test('tracked addresses are bounded: the oldest is forgotten first (and starts over with a full budget)', async (t) => {
  const { guard } = guardAt(0, { rejectionsPerIp: 1, maxClients: 2 })
  guard.take('10.0.0.1')
  guard.take('10.0.0.2')
  t.match(guard.take('10.0.0.1'), { ok: false }, 'spent')
  t.match(guard.take('10.0.0.2'), { ok: false }, 'spent')
  guard.take('10.0.0.3')
  t.equal(guard.size.clients, 2, 'never more than maxClients')
  t.same(guard.take('10.0.0.1'), { ok: true }, 'the oldest address was forgotten, so its budget is fresh')
  t.equal(guard.size.clients, 2)
  t.same(guard.take('10.0.0.2'), { ok: true }, 'forgotten in turn when 10.0.0.1 came back')
  t.same(guard.take('10.0.0.3'), { ok: true }, 'forgotten when 10.0.0.2 came back')
})

t.test('a window reset replaces the address\'s own entry: it never evicts another address', async (t) => {
  const { guard, advance } = guardAt(0, { rejectionsPerIp: 1, windowMs: 1000, maxClients: 3 })
  guard.take('10.0.0.1')
  guard.take('10.0.0.2')
  advance(1000)
  t.same(guard.take('10.0.0.1'), { ok: true }, 'a new window for 10.0.0.1 (spent again)')
  guard.take('10.0.0.3')
  t.equal(guard.size.clients, 3, 'at the bound')
  t.same(guard.take('10.0.0.2'), { ok: true }, 'a new window for 10.0.0.2, at the bound')
  t.equal(guard.size.clients, 3)
  t.match(guard.take('10.0.0.1'), { ok: false, retryAfterSeconds: 1 }, '10.0.0.1 is still tracked, its unit still spent')
  t.match(guard.take('10.0.0.3'), { ok: false }, 'and 10.0.0.3')
})

t.test('without a clock seam it uses the real clock', async (t) => {
  const guard = createSlowPathGuard({ rejectedTtlMs: 60_000, maxRejected: 10, rejectionsPerIp: 1, windowMs: 60_000, maxClients: 10 })
  const error = new Error('x')
  guard.rememberRejection('token-a', error)
  t.equal(guard.knownRejection('token-a'), error)
  t.same(guard.take('10.0.0.1'), { ok: true })
  t.match(guard.take('10.0.0.1'), { ok: false, retryAfterSeconds: 60 })
  t.same(guard.size, { rejected: 1, clients: 1 })
})
