import type { CookieNames } from './cookies.js'
import { looksLikeJwt } from './jwt-verifier.js'

export interface Credentials {
  via: 'bearer' | 'cookie'
  jwt?: string
  sessionToken?: string
}

/** Stytch session tokens are ~44 URL-safe base64 characters; anything far off is not worth a Stytch call. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{20,200}$/

export type CredentialProblem = 'missing' | 'malformed'

/**
 * Reads a request's credentials from its `Authorization` header and parsed cookies:
 * `Authorization: Bearer` (a JWT when it has the shape of a compact JWS, else a session token)
 * wins over the cookies.
 */
export function readCredentials (authorization: string | undefined, cookies: Record<string, string | undefined>, names: CookieNames): Credentials | CredentialProblem {
  if (authorization !== undefined) {
    // The scheme is case-insensitive (RFC 9110); the credential is one token without spaces.
    if (authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return 'malformed'
    const value = authorization.slice(7).trim()
    if (value.length === 0 || value.includes(' ') || value.includes('\t')) return 'malformed'
    if (looksLikeJwt(value)) return { via: 'bearer', jwt: value }
    return SESSION_TOKEN.test(value) ? { via: 'bearer', sessionToken: value } : 'malformed'
  }
  const jwt = cookies[names.jwt]
  const token = cookies[names.session]
  if ((jwt === undefined || jwt === '') && (token === undefined || token === '')) return 'missing'
  const credentials: Credentials = { via: 'cookie' }
  if (jwt !== undefined && looksLikeJwt(jwt)) credentials.jwt = jwt
  if (token !== undefined && SESSION_TOKEN.test(token)) credentials.sessionToken = token
  if (credentials.jwt === undefined && credentials.sessionToken === undefined) return 'malformed'
  return credentials
}

/**
 * The member's own credentials, for SDK calls that Stytch must authorize as that member
 * (`method_options.authorization` → X-Stytch-Member-Session / -SessionJWT headers).
 */
export function stytchAuthorization (credentials: Credentials | null): { session_token?: string, session_jwt?: string } {
  if (credentials === null) return {}
  if (credentials.sessionToken !== undefined) return { session_token: credentials.sessionToken }
  return credentials.jwt === undefined ? {} : { session_jwt: credentials.jwt }
}
