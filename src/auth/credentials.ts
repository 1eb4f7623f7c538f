import type { CookieNames } from './cookies.js'
import { looksLikeJwt } from './jwt-verifier.js'

export interface Credentials {
  via: 'bearer' | 'cookie'
  jwt?: string
  sessionToken?: string
}

/**
 * Stytch's session-token format: ~44 URL-safe base64 characters (reference §1, [docs]); anything
 * else is refused locally and never costs a Stytch call.
 */
export const SESSION_TOKEN = /^[A-Za-z0-9_-]{40,64}$/

/**
 * `ambiguous`: credentials of more than one session, or the same credential twice (two
 * Authorization headers, a cookie name repeated — cookie tossing): refused, never "first wins".
 */
export type CredentialProblem = 'missing' | 'malformed' | 'ambiguous'

/** What a request carries that can hold credentials. */
export interface CredentialSources {
  authorization: string | undefined
  /** How many Authorization headers the request had (Node keeps only the first). */
  authorizationCount: number
  /** The raw Cookie header, to see a cookie name sent twice (the parser keeps only one). */
  cookieHeader: string | undefined
  cookies: Record<string, string | undefined>
}

/** How many times `name=` starts a cookie pair in a Cookie header. */
function cookieCount (header: string, name: string): number {
  let count = 0
  for (let at = header.indexOf(name); at !== -1; at = header.indexOf(name, at + name.length)) {
    const before = at === 0 ? ';' : header[at - 1]
    const after = header[at + name.length]
    if ((before === ';' || before === ' ') && (after === '=' || after === ' ')) count++
  }
  return count
}

/**
 * The session id a JWT's payload names, read without verifying it: only used to see whether two
 * credentials are of the same session (the one used is verified in full anyway).
 */
export function unverifiedSessionId (jwt: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.slice(jwt.indexOf('.') + 1, jwt.lastIndexOf('.')), 'base64url').toString('utf8')) as Record<string, { id?: unknown } | undefined>
    const id = payload['https://stytch.com/session']?.id
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}

/**
 * Reads a request's credentials: `Authorization: Bearer` (a JWT when it has the shape of a compact
 * JWS, else a session token), else the cookies. A bearer beside session cookies is accepted only
 * when both are provably the same session (the same token, or JWTs naming the same session).
 */
export function readCredentials (sources: CredentialSources, names: CookieNames): Credentials | CredentialProblem {
  const { authorization, cookies } = sources
  if (sources.authorizationCount > 1) return 'ambiguous'
  if (sources.cookieHeader !== undefined && (cookieCount(sources.cookieHeader, names.jwt) > 1 || cookieCount(sources.cookieHeader, names.session) > 1)) return 'ambiguous'
  const jwt = cookies[names.jwt]
  const token = cookies[names.session]
  const hasCookies = (jwt !== undefined && jwt !== '') || (token !== undefined && token !== '')
  if (authorization !== undefined) {
    const bearer = readBearer(authorization)
    if (bearer === 'malformed' || !hasCookies) return bearer
    const same = bearer.jwt !== undefined
      ? jwt !== undefined && unverifiedSessionId(bearer.jwt) !== undefined && unverifiedSessionId(bearer.jwt) === unverifiedSessionId(jwt)
      : token === bearer.sessionToken
    return same ? bearer : 'ambiguous'
  }
  if (!hasCookies) return 'missing'
  const credentials: Credentials = { via: 'cookie' }
  if (jwt !== undefined && looksLikeJwt(jwt)) credentials.jwt = jwt
  if (token !== undefined && SESSION_TOKEN.test(token)) credentials.sessionToken = token
  if (credentials.jwt === undefined && credentials.sessionToken === undefined) return 'malformed'
  return credentials
}

function readBearer (header: string): Credentials | 'malformed' {
  // The scheme is case-insensitive (RFC 9110); the credential is one token without spaces.
  if (header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return 'malformed'
  const value = header.slice(7).trim()
  if (value.length === 0 || value.includes(' ') || value.includes('\t')) return 'malformed'
  if (looksLikeJwt(value)) return { via: 'bearer', jwt: value }
  return SESSION_TOKEN.test(value) ? { via: 'bearer', sessionToken: value } : 'malformed'
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
