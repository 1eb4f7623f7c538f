import { errors, jwtVerify, type JWTHeaderParameters } from 'jose'
import type { JwksCache } from '../stytch/jwks.js'
import { contextFromClaims, type SessionContext } from './session-context.js'

/**
 * Why a JWT was not accepted locally. `expired`, `too_old` and `unknown_key` may be settled by
 * Stytch when a session token is also present (the slow path); `invalid` never is: a forged or
 * malformed token is rejected here, and junk tokens never turn into upstream traffic.
 */
export type JwtRejection = 'expired' | 'too_old' | 'unknown_key' | 'invalid'

export type JwtVerdict =
  | { ok: true, context: SessionContext, issuedAt: number, expiresAt: number }
  | { ok: false, reason: JwtRejection }

export interface JwtVerifierOptions {
  jwks: JwksCache
  projectId: string
  clockToleranceSeconds: number
  maxTokenAgeSeconds: number
  /** Verified tokens remembered; each entry is a few hundred bytes. */
  cacheSize?: number
  now?: () => number
}

interface VerifiedEntry { token: string, context: SessionContext, kid: string, issuedAt: number, notBefore: number, expiresAt: number }

/**
 * True when the string has the shape of a compact JWS: three non-empty dot-separated parts. Only a
 * routing decision (JWT or session token); the verifier checks the encoding itself.
 */
export function looksLikeJwt (value: string): boolean {
  const first = value.indexOf('.')
  const second = value.indexOf('.', first + 1)
  return first > 0 && second > first + 1 && second < value.length - 1 && value.indexOf('.', second + 1) === -1
}

/** The cache key: the signature part, far shorter than the token; a hit is confirmed on the whole token. */
const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1)

/**
 * Verifies Stytch session JWTs locally: RS256 only, `typ: JWT`, the project's issuer and audience,
 * `exp`/`nbf` with a small tolerance and a maximum token age.
 *
 * A client presents the same JWT for minutes, and an RS256 verification costs about 60 µs, so a
 * verified token is remembered (keyed by its exact bytes: any change to the token is a miss). A hit
 * re-checks everything that depends on time or on the key set — expiry, not-before, token age and
 * whether its signing key is still published — and skips only the signature and claim parsing.
 */
export function createJwtVerifier (options: JwtVerifierOptions) {
  const now = options.now ?? Date.now
  const cacheSize = options.cacheSize ?? 10_000
  const tolerance = options.clockToleranceSeconds
  const verified = new Map<string, VerifiedEntry>()
  const issuer = `stytch.com/${options.projectId}`

  function checkTimes (entry: VerifiedEntry): JwtVerdict {
    const seconds = now() / 1000
    if (seconds >= entry.expiresAt + tolerance) return { ok: false, reason: 'expired' }
    if (seconds + tolerance < entry.notBefore) return { ok: false, reason: 'invalid' }
    if (seconds - entry.issuedAt >= options.maxTokenAgeSeconds) return { ok: false, reason: 'too_old' }
    if (!options.jwks.has(entry.kid)) return { ok: false, reason: 'unknown_key' }
    return { ok: true, context: entry.context, issuedAt: entry.issuedAt, expiresAt: entry.expiresAt }
  }

  function remember (token: string, entry: VerifiedEntry): void {
    if (verified.size >= cacheSize) {
      // Map iteration order is insertion order: drop the oldest entry.
      const oldest = verified.keys().next().value
      if (oldest !== undefined) verified.delete(oldest)
    }
    verified.set(signatureOf(token), entry)
  }

  async function verifySignature (token: string): Promise<JwtVerdict> {
    let unknownKid = false
    try {
      const { payload, protectedHeader } = await jwtVerify(token, async (header: JWTHeaderParameters) => {
        if (header.alg !== 'RS256' || typeof header.kid !== 'string') throw new errors.JOSEAlgNotAllowed('only RS256 with a kid')
        const key = await options.jwks.getKey(header.kid)
        if (key === undefined) {
          unknownKid = true
          throw new errors.JWKSNoMatchingKey()
        }
        return key
      }, {
        algorithms: ['RS256'],
        typ: 'JWT',
        issuer,
        audience: options.projectId,
        requiredClaims: ['sub', 'iat', 'exp'],
        clockTolerance: tolerance,
        currentDate: new Date(now())
      })
      const context = contextFromClaims(payload)
      if (context === null) return { ok: false, reason: 'invalid' }
      const entry: VerifiedEntry = {
        token,
        context,
        kid: protectedHeader.kid as string,
        issuedAt: payload.iat as number,
        notBefore: payload.nbf ?? 0,
        expiresAt: payload.exp as number
      }
      const verdict = checkTimes(entry)
      if (verdict.ok) remember(token, entry)
      return verdict
    } catch (err) {
      if (unknownKid) return { ok: false, reason: 'unknown_key' }
      // Expiry is only reported by jose after the signature has been verified.
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' }
      return { ok: false, reason: 'invalid' }
    }
  }

  return {
    /** Synchronous for a remembered token (the common case), a promise when the signature must be checked. */
    verify (token: string): JwtVerdict | Promise<JwtVerdict> {
      const key = signatureOf(token)
      const entry = verified.get(key)
      // A different token reusing a known signature is a forgery attempt: verify it in full (it fails).
      if (entry === undefined || entry.token !== token) return verifySignature(token)
      const verdict = checkTimes(entry)
      if (!verdict.ok) verified.delete(key)
      return verdict
    },
    /** Number of remembered tokens (for tests and metrics). */
    get size () { return verified.size }
  }
}

export type JwtVerifier = ReturnType<typeof createJwtVerifier>
