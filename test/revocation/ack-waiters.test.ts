import t from 'tap'
import { createAckWaiters } from '../../src/revocation/ack-waiters.js'

t.test('a wait completes once the expected number of distinct acks arrived', async (t) => {
  const waiters = createAckWaiters()
  const wait = waiters.wait('r1', 10_000)
  // Acks can beat PUBLISH's reply: they count before the expected number is known.
  waiters.ack('r1', 'a')
  waiters.ack('r1', 'a')
  waiters.ack('other', 'b')
  wait.expect(2)
  t.equal(waiters.pending, 1)
  waiters.ack('r1', 'b')
  t.same(await wait.done, { acked: 2, expected: 2, timedOut: false })
  t.equal(waiters.pending, 0)
})

t.test('a wait whose acks are already in completes at expect()', async (t) => {
  const waiters = createAckWaiters()
  const wait = waiters.wait('r1', 10_000)
  waiters.ack('r1', 'a')
  wait.expect(1)
  t.same(await wait.done, { acked: 1, expected: 1, timedOut: false })
  const none = waiters.wait('r2', 10_000)
  none.expect(0)
  t.same(await none.done, { acked: 0, expected: 0, timedOut: false })
})

t.test('a wait is bounded by its timeout, and settles on demand', async (t) => {
  const waiters = createAckWaiters()
  const started = performance.now()
  const wait = waiters.wait('r1', 50)
  wait.expect(3)
  waiters.ack('r1', 'a')
  t.same(await wait.done, { acked: 1, expected: 3, timedOut: true })
  t.ok(performance.now() - started >= 45)

  const a = waiters.wait('r2', 10_000)
  const b = waiters.wait('r3', 10_000)
  b.settle()
  t.same(await b.done, { acked: 0, expected: undefined, timedOut: false })
  waiters.settleAll()
  t.same(await a.done, { acked: 0, expected: undefined, timedOut: false })
  t.equal(waiters.pending, 0)
})
