import type { FastifyReply } from 'fastify'
import type { Config } from '../config.js'
import { setSessionCookies } from './cookies.js'
import type { Credentials } from './credentials.js'

/** Response header carrying the fresh session JWT to bearer clients (documented in openapi.yaml). */
export const SESSION_JWT_HEADER = 'x-session-jwt'

/**
 * Hands a freshly minted session JWT back the way the client sent its credentials: cookie clients
 * get both cookies rewritten (new JWT, Max-Age following the possibly extended session), bearer
 * clients get the X-Session-JWT header.
 */
export function deliverFreshJwt (reply: FastifyReply, config: Config, credentials: Credentials, jwt: string, expiresAt: string): void {
  if (credentials.via === 'cookie' && credentials.sessionToken !== undefined) {
    setSessionCookies(reply, config, { session_token: credentials.sessionToken, session_jwt: jwt, expires_at: expiresAt })
  } else {
    void reply.header(SESSION_JWT_HEADER, jwt)
  }
}
