import type { B2BClient, B2BSessionsAuthenticateResponse } from 'stytch'

export interface SessionRefresherOptions {
  client: B2BClient
  /** Sliding expiry: each remote authenticate extends the session to now + this. */
  sessionDurationMinutes: number
  /**
   * How long a successful answer is reused for the same credential (default 5 s). Requests of a
   * burst that arrive just after the shared call settled still carry the old JWT; they get the same
   * fresh one instead of calling Stytch again. Revocations through this API are still seen (the
   * revocation list is checked on every request), and 5 s is far inside the 5-minute window Stytch's
   * own JWTs give a session revoked elsewhere.
   */
  reuseMs?: number
  now?: () => number
  /** Runs each upstream call (the bulkhead); joined calls and reused answers take no slot. */
  run?: <T>(fn: () => Promise<T>) => Promise<T>
  /**
   * Told how each authenticate was answered (metrics): `led` a call of its own that others may
   * join, `joined` a call in flight, `reused` a recent answer, `unshared` a call of its own that
   * shares nothing (`shared: false`).
   */
  onShare?: (how: 'led' | 'joined' | 'reused' | 'unshared') => void
}

/** What Stytch is asked about: the opaque session token, or (when there is none) the session JWT. */
export type SessionCredential = { session_token: string } | { session_jwt: string }

/**
 * The slow path: asks Stytch whether a session is alive and gets a fresh JWT back. Concurrent
 * requests carrying the same credential share one upstream call, and its answer is reused for a
 * few seconds — an SPA that fires 20 requests right after its JWT expired costs Stytch one call,
 * not 20, however the burst is spread.
 */
export function createSessionRefresher (options: SessionRefresherOptions) {
  const reuseMs = options.reuseMs ?? 5000
  const now = options.now ?? Date.now
  const run = options.run ?? (async <T>(fn: () => Promise<T>): Promise<T> => await fn())
  const onShare = options.onShare ?? (() => {})
  const call = (credential: SessionCredential): Promise<B2BSessionsAuthenticateResponse> =>
    run(() => options.client.sessions.authenticate({ ...credential, session_duration_minutes: options.sessionDurationMinutes }))
  // Calls in flight and recent successes, in insertion (hence expiry) order.
  const calls = new Map<string, { answer: Promise<B2BSessionsAuthenticateResponse>, until: number }>()

  function sweep (): void {
    const t = now()
    for (const [key, entry] of calls) {
      if (entry.until > t) break
      calls.delete(key)
    }
  }

  return {
    /**
     * `shared: false` asks Stytch afresh, joining no call in flight and reusing no answer: while the
     * revocation list cannot be trusted (Redis unreachable), only Stytch's answer of now may decide,
     * or a session revoked on another instance would be accepted from a remembered answer.
     */
    authenticate (credential: SessionCredential, { shared = true }: { shared?: boolean } = {}): Promise<B2BSessionsAuthenticateResponse> {
      if (!shared) {
        onShare('unshared')
        return call(credential)
      }
      sweep()
      const key = 'session_token' in credential ? `t:${credential.session_token}` : `j:${credential.session_jwt}`
      const existing = calls.get(key)
      if (existing !== undefined) {
        onShare(existing.until === Infinity ? 'joined' : 'reused')
        return existing.answer
      }
      onShare('led')
      const entry = {
        answer: call(credential),
        until: Infinity
      }
      calls.set(key, entry)
      entry.answer.then(() => {
        // Re-inserted so the map stays in expiry order for the sweep.
        calls.delete(key)
        calls.set(key, { ...entry, until: now() + reuseMs })
      }, () => calls.delete(key))
      return entry.answer
    }
  }
}

export type SessionRefresher = ReturnType<typeof createSessionRefresher>
