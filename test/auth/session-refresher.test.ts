import t from 'tap'
import type { B2BClient, B2BSessionsAuthenticateRequest, B2BSessionsAuthenticateResponse } from 'stytch'
import { createSessionRefresher } from '../../src/auth/session-refresher.js'

/**
 * The dependency, not the thing under test: an SDK client with just `sessions.authenticate`, whose
 * calls stay pending until the test settles them, so "in flight" and "settled" are explicit.
 */
function fakeClient () {
  const calls: Array<{ request: B2BSessionsAuthenticateRequest, resolve: (answer: B2BSessionsAuthenticateResponse) => void, reject: (err: Error) => void }> = []
  const client = {
    sessions: {
      authenticate: async (request: B2BSessionsAuthenticateRequest) => await new Promise<B2BSessionsAuthenticateResponse>((resolve, reject) => {
        calls.push({ request, resolve, reject })
      })
    }
  } as unknown as B2BClient
  /** Settles the `index`th upstream call with an answer naming it. */
  const answer = (index: number, jwt = `jwt-${index}`): B2BSessionsAuthenticateResponse => {
    const response = { session_jwt: jwt } as unknown as B2BSessionsAuthenticateResponse
    calls[index]?.resolve(response)
    return response
  }
  return { client, calls, answer }
}

/** Lets the refresher's own `.then` on a settled upstream call run. */
const settle = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

t.test('concurrent calls with the same credential share one upstream call', async (t) => {
  const { client, calls, answer } = fakeClient()
  const refresher = createSessionRefresher({ client, sessionDurationMinutes: 60, now: () => 0 })
  const burst = [1, 2, 3].map(() => refresher.authenticate({ session_token: 'token-a' }))
  t.equal(calls.length, 1, 'three requests, one call to Stytch')
  t.same(calls[0]?.request, { session_token: 'token-a', session_duration_minutes: 60 }, 'the credential, with sliding expiry')

  const other = refresher.authenticate({ session_token: 'token-b' })
  const byJwt = refresher.authenticate({ session_jwt: 'token-a' })
  t.equal(calls.length, 3, 'another token, or a JWT with the same text, is another call')
  t.same(calls[2]?.request, { session_jwt: 'token-a', session_duration_minutes: 60 })

  const response = answer(0)
  const answers = await Promise.all(burst)
  t.ok(answers.every((a) => a === response), 'every caller of the burst gets the one answer')
  answer(1)
  answer(2)
  t.equal((await other).session_jwt, 'jwt-1')
  t.equal((await byJwt).session_jwt, 'jwt-2')
})

t.test('a success is reused for reuseMs after it settled, then expires', async (t) => {
  let clock = 1_000
  const { client, calls, answer } = fakeClient()
  const refresher = createSessionRefresher({ client, sessionDurationMinutes: 60, reuseMs: 5_000, now: () => clock })
  const first = refresher.authenticate({ session_token: 'token-a' })
  clock = 2_000 // the window counts from when the answer arrived, not from when it was asked
  const response = answer(0)
  t.equal(await first, response)
  await settle()

  clock = 6_999
  t.equal(await refresher.authenticate({ session_token: 'token-a' }), response, 'just inside the window: reused')
  t.equal(calls.length, 1, 'no second call')

  clock = 7_000
  const later = refresher.authenticate({ session_token: 'token-a' })
  t.equal(calls.length, 2, 'at settle time + reuseMs the answer is no longer reused')
  answer(1, 'fresh')
  t.equal((await later).session_jwt, 'fresh')
})

t.test('the default reuse window is 5 s', async (t) => {
  let clock = 0
  const { client, calls, answer } = fakeClient()
  const refresher = createSessionRefresher({ client, sessionDurationMinutes: 60, now: () => clock })
  const first = refresher.authenticate({ session_token: 'token-a' })
  answer(0)
  await first
  await settle()
  clock = 4_999
  await refresher.authenticate({ session_token: 'token-a' })
  t.equal(calls.length, 1)
  clock = 5_000
  void refresher.authenticate({ session_token: 'token-a' })
  t.equal(calls.length, 2)
})

t.test('a failure is shared by the callers in flight but never reused', async (t) => {
  const { client, calls, answer } = fakeClient()
  const refresher = createSessionRefresher({ client, sessionDurationMinutes: 60, now: () => 0 })
  const a = refresher.authenticate({ session_token: 'token-a' })
  const b = refresher.authenticate({ session_token: 'token-a' })
  t.equal(calls.length, 1)
  calls[0]?.reject(new Error('stytch down'))
  await t.rejects(a, /stytch down/)
  await t.rejects(b, /stytch down/, 'the caller that joined the call gets the same failure')
  await settle()

  const retry = refresher.authenticate({ session_token: 'token-a' })
  t.equal(calls.length, 2, 'the next request asks Stytch again')
  answer(1)
  t.equal((await retry).session_jwt, 'jwt-1')
})

t.test('shared: false always calls Stytch, and leaves nothing behind for shared callers', async (t) => {
  const { client, calls, answer } = fakeClient()
  const refresher = createSessionRefresher({ client, sessionDurationMinutes: 30, now: () => 0 })
  const shared = refresher.authenticate({ session_token: 'token-a' })
  const unshared = refresher.authenticate({ session_token: 'token-a' }, { shared: false })
  t.equal(calls.length, 2, 'does not join the call in flight')
  t.same(calls[1]?.request, { session_token: 'token-a', session_duration_minutes: 30 })
  answer(0)
  answer(1, 'unshared')
  t.equal((await unshared).session_jwt, 'unshared', 'gets its own answer')
  await shared
  await settle()

  void refresher.authenticate({ session_token: 'token-a' }, { shared: false })
  t.equal(calls.length, 3, 'does not reuse a remembered success')

  void refresher.authenticate({ session_jwt: 'a.b.c' }, { shared: false })
  answer(3)
  await settle()
  void refresher.authenticate({ session_jwt: 'a.b.c' })
  t.equal(calls.length, 5, 'an unshared success is not remembered for shared callers')
})
