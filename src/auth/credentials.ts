import type { FastifyRequest } from 'fastify'
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
 * Reads the request's credentials: `Authorization: Bearer` (a JWT when it has the shape of a
 * compact JWS, else a session token) wins over the cookies.
 */
export function readCredentials (request: FastifyRequest, names: CookieNames): Credentials | CredentialProblem {
  const header = request.headers.authorization
  if (header !== undefined) {
    // The scheme is case-insensitive (RFC 9110); the credential is one token without spaces.
    if (header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return 'malformed'
    const value = header.slice(7).trim()
    if (value.length === 0 || value.includes(' ') || value.includes('\t')) return 'malformed'
    if (looksLikeJwt(value)) return { via: 'bearer', jwt: value }
    return SESSION_TOKEN.test(value) ? { via: 'bearer', sessionToken: value } : 'malformed'
  }
  const jwt = request.cookies[names.jwt]
  const token = request.cookies[names.session]
  if ((jwt === undefined || jwt === '') && (token === undefined || token === '')) return 'missing'
  const credentials: Credentials = { via: 'cookie' }
  if (jwt !== undefined && looksLikeJwt(jwt)) credentials.jwt = jwt
  if (token !== undefined && SESSION_TOKEN.test(token)) credentials.sessionToken = token
  if (credentials.jwt === undefined && credentials.sessionToken === undefined) return 'malformed'
  return credentials
}
