import type { B2BClient, B2BSessionsAuthenticateResponse } from 'stytch'

export interface SessionRefresherOptions {
  client: B2BClient
  /** Sliding expiry: each remote authenticate extends the session to now + this. */
  sessionDurationMinutes: number
}

/**
 * The slow path: asks Stytch about a session token and gets a fresh JWT back. Concurrent requests
 * carrying the same token share one upstream call — an SPA that fires 20 requests right after its
 * JWT expired costs Stytch one call, not 20.
 */
export function createSessionRefresher (options: SessionRefresherOptions) {
  const inFlight = new Map<string, Promise<B2BSessionsAuthenticateResponse>>()

  return {
    authenticate (sessionToken: string): Promise<B2BSessionsAuthenticateResponse> {
      let pending = inFlight.get(sessionToken)
      if (pending === undefined) {
        pending = options.client.sessions.authenticate({
          session_token: sessionToken,
          session_duration_minutes: options.sessionDurationMinutes
        }).finally(() => inFlight.delete(sessionToken))
        inFlight.set(sessionToken, pending)
      }
      return pending
    }
  }
}

export type SessionRefresher = ReturnType<typeof createSessionRefresher>
