// The bulkhead in front of every Stytch call on the request path: the concurrency cap, the short
// queue in arrival order, refusal at once when the queue is full, the queue timeout, and that a slot
// is given back whether the call succeeds or fails.
import t from 'tap'
import { BulkheadFullError, createBulkhead } from '../../src/stytch/bulkhead.js'

/** A call that runs until the test settles it. */
function deferred<T = string> () {
  let settle!: { resolve: (value: T) => void, reject: (err: Error) => void }
  const promise = new Promise<T>((resolve, reject) => { settle = { resolve, reject } })
  return { promise, resolve: (value: T) => { settle.resolve(value) }, reject: (err: Error) => { settle.reject(err) } }
}

/** Lets the microtasks of settled calls run (release → next waiter starts). */
const tick = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

t.test('up to maxConcurrent calls run at once; the next ones queue and start in arrival order', async (t) => {
  const bulkhead = createBulkhead({ maxConcurrent: 2, maxQueue: 5, queueTimeoutMs: 10_000 })
  const started: string[] = []
  const calls = new Map<string, ReturnType<typeof deferred<string>>>()
  const run = (name: string): Promise<string> => bulkhead.run(async () => {
    started.push(name)
    const call = deferred()
    calls.set(name, call)
    return await call.promise
  })
  const a = run('a')
  const b = run('b')
  const c = run('c')
  const d = run('d')
  await tick()
  t.same(started, ['a', 'b'], 'two run, two wait')
  t.equal(bulkhead.active, 2)
  t.equal(bulkhead.queued, 2)

  calls.get('b')?.resolve('B')
  t.equal(await b, 'B', 'the result of the call is returned')
  await tick()
  t.same(started, ['a', 'b', 'c'], 'a freed slot goes to the oldest waiter')
  t.equal(bulkhead.active, 2, 'the slot was handed over, not freed')
  t.equal(bulkhead.queued, 1)

  calls.get('a')?.resolve('A')
  calls.get('c')?.resolve('C')
  await tick()
  t.same(started, ['a', 'b', 'c', 'd'])
  calls.get('d')?.resolve('D')
  t.same(await Promise.all([a, c, d]), ['A', 'C', 'D'])
  t.equal(bulkhead.active, 0, 'every slot released')
  t.equal(bulkhead.queued, 0)
})

t.test('a full queue refuses at once with BulkheadFullError; nothing is started for it', async (t) => {
  const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 10_000 })
  const first = deferred()
  let calls = 0
  const running = bulkhead.run(async () => { calls++; return await first.promise })
  const waiting = bulkhead.run(async () => { calls++; return 'second' })
  await tick()
  const startedAt = performance.now()
  await t.rejects(bulkhead.run(async () => { calls++; return 'third' }), BulkheadFullError)
  t.ok(performance.now() - startedAt < 1000, 'refused without waiting')
  t.equal(calls, 1, 'only the running call was started')
  t.equal(bulkhead.queued, 1, 'the refused call did not take a queue place')

  first.resolve('first')
  t.equal(await running, 'first')
  t.equal(await waiting, 'second')
  t.equal(calls, 2)
  t.equal(bulkhead.active, 0)
})

t.test('with maxQueue 0 nothing waits: a call beyond the cap is refused at once', async (t) => {
  const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 10_000 })
  const first = deferred()
  const running = bulkhead.run(async () => await first.promise)
  const err = await bulkhead.run(async () => 'never').catch((caught: unknown) => caught)
  t.type(err, BulkheadFullError)
  t.equal((err as Error).name, 'BulkheadFullError')
  t.match((err as Error).message, /Too many Stytch calls in flight/)
  first.resolve('done')
  t.equal(await running, 'done')
  t.equal(await bulkhead.run(async () => 'free again'), 'free again', 'the slot is back once the call ends')
})

t.test('a queued call that waits longer than queueTimeoutMs is refused and leaves the queue', async (t) => {
  const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 2, queueTimeoutMs: 30 })
  const first = deferred()
  const running = bulkhead.run(async () => await first.promise)
  let laterStarted = false
  const early = bulkhead.run(async () => { laterStarted = true; return 'never' })
  t.equal(bulkhead.queued, 1)
  await t.rejects(early, BulkheadFullError, 'timed out in the queue')
  t.equal(bulkhead.queued, 0, 'the timed-out waiter left the queue')
  t.equal(bulkhead.active, 1, 'the running call still holds its slot')

  // A waiter queued after the timed-out one is the one the freed slot goes to.
  const next = bulkhead.run(async () => 'next')
  first.resolve('first')
  t.equal(await running, 'first')
  t.equal(await next, 'next')
  t.notOk(laterStarted, 'the timed-out call never ran')
  t.equal(bulkhead.active, 0)
})

t.test('a waiter that gets a slot has its timeout cleared; only a timed-out waiter leaves the queue', async (t) => {
  const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 3, queueTimeoutMs: 400 })
  const first = deferred()
  const running = bulkhead.run(async () => await first.promise)
  const old = bulkhead.run(async () => 'old')
  await new Promise((resolve) => setTimeout(resolve, 200))
  const youngCall = deferred()
  const young = bulkhead.run(async () => await youngCall.promise)
  await t.rejects(old, BulkheadFullError)
  t.equal(bulkhead.queued, 1, 'the younger waiter is still queued')
  first.resolve('first')
  await running
  await tick()
  t.equal(bulkhead.active, 1, 'the younger waiter got the slot')
  t.equal(bulkhead.queued, 0)
  const third = bulkhead.run(async () => 'third')
  // Past the younger waiter's deadline, before the third one's: a timer left running would now
  // take a queue place that is not its own (the third waiter's) and refuse it.
  await new Promise((resolve) => setTimeout(resolve, 250))
  t.equal(bulkhead.queued, 1, 'the third waiter kept its place')
  youngCall.resolve('young')
  t.equal(await young, 'young')
  t.equal(await third, 'third')
  t.equal(bulkhead.active, 0)
  t.equal(bulkhead.queued, 0)
})

t.test('a failing call releases its slot and hands it to the next waiter', async (t) => {
  const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 10_000 })
  const first = deferred()
  const failing = bulkhead.run(async () => await first.promise)
  const waiting = bulkhead.run(async () => 'ran after the failure')
  first.reject(new Error('Stytch said no'))
  await t.rejects(failing, { message: 'Stytch said no' }, 'the call\'s own error, unchanged')
  t.equal(await waiting, 'ran after the failure')
  t.equal(bulkhead.active, 0)
  await t.rejects(bulkhead.run(async () => { throw new Error('sync-ish failure') }), { message: 'sync-ish failure' })
  t.equal(bulkhead.active, 0, 'a call failing at once releases too')
})
