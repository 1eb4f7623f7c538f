import type { B2BClient, B2BSessionsAuthenticateResponse } from 'stytch'

export interface SessionRefresherOptions {
  client: B2BClient
  /** Sliding expiry: each remote authenticate extends the session to now + this. */
  sessionDurationMinutes: number
}

/** What Stytch is asked about: the opaque session token, or (when there is none) the session JWT. */
export type SessionCredential = { session_token: string } | { session_jwt: string }

/**
 * The slow path: asks Stytch whether a session is alive and gets a fresh JWT back. Concurrent
 * requests carrying the same credential share one upstream call — an SPA that fires 20 requests
 * right after its JWT expired costs Stytch one call, not 20.
 */
export function createSessionRefresher (options: SessionRefresherOptions) {
  const inFlight = new Map<string, Promise<B2BSessionsAuthenticateResponse>>()

  return {
    authenticate (credential: SessionCredential): Promise<B2BSessionsAuthenticateResponse> {
      const key = 'session_token' in credential ? `t:${credential.session_token}` : `j:${credential.session_jwt}`
      let pending = inFlight.get(key)
      if (pending === undefined) {
        pending = options.client.sessions.authenticate({
          ...credential,
          session_duration_minutes: options.sessionDurationMinutes
        }).finally(() => inFlight.delete(key))
        inFlight.set(key, pending)
      }
      return pending
    }
  }
}

export type SessionRefresher = ReturnType<typeof createSessionRefresher>
