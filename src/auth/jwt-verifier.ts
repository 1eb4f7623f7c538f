import { hash } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose'
import type { JwksCache } from '../stytch/jwks.js'
import { contextFromClaims, type SessionContext } from './session-context.js'

/**
 * A JWT that could not be checked yet: its `kid` is not in the key set and no JWKS fetch has been
 * possible since this kid was first seen (the refetch floor has not passed, or the fetch failed) —
 * or it is a genuine Stytch JWT whose signing key Stytch has since retired. It says NOTHING against
 * the token, so it must never become a 401 by itself; only Stytch can settle it:
 * - with a session token, the usual slow path (`sessions.authenticate({ session_token })`);
 * - without one, and `askStytch`, `sessions.authenticate({ session_jwt })`; a Stytch answer that
 *   the credential is bad is a 401, a Stytch failure for availability a 503;
 * - without one, and not `askStytch` (this instance's budget of Stytch calls for unchecked JWTs is
 *   spent: they might be junk), a 503 `identity_provider_unavailable` with `Retry-After:
 *   retryAfterSeconds` — by then a JWKS fetch is allowed and a genuine token verifies locally.
 * Everything the verifier can check without the key has been checked (header, issuer, audience,
 * times, claim shape, on the unverified claims): a token failing those is `invalid`/`expired`/`too_old`.
 */
export interface UnknownKeyVerdict {
  ok: false
  reason: 'unknown_key'
  /** False when the budget of Stytch calls for unchecked tokens is spent: answer 503 instead. */
  askStytch: boolean
  /** Seconds until the key can be checked (a JWKS fetch is allowed again); at least 1. */
  retryAfterSeconds: number
}

/**
 * Why a JWT was not accepted locally, and what may settle it:
 * - `expired`, `too_old`: the JWT is past `exp` (with the tolerance) or older than the maximum
 *   age. Stytch may renew the session when a session token is also present (the slow path);
 *   without one it is a 401 `session_expired`.
 * - `invalid`: forged, tampered, malformed, wrong alg/typ/issuer/audience, not yet valid, missing
 *   claims — or naming a `kid` that a JWKS fetch made after the kid was first seen does not list
 *   (Stytch did not sign it). A 401 decided locally, never a Stytch call, even next to a session
 *   token: junk tokens do not become upstream traffic.
 * - `unknown_key`: cannot be checked yet; never a 401 by itself. See {@link UnknownKeyVerdict}.
 */
export type JwtRejection = 'expired' | 'too_old' | 'unknown_key' | 'invalid'

export type JwtVerdict =
  | { ok: true, context: SessionContext, issuedAt: number, expiresAt: number }
  | { ok: false, reason: Exclude<JwtRejection, 'unknown_key'> }
  | UnknownKeyVerdict

export interface JwtVerifierOptions {
  jwks: JwksCache
  projectId: string
  clockToleranceSeconds: number
  maxTokenAgeSeconds: number
  /**
   * Verified tokens remembered (default 100 000; `JWT_CACHE_ENTRIES`). An entry is the token's
   * digest and its derived context, about 0.8 KB (the bench measures it); the oldest goes first.
   */
  cacheSize?: number
  /**
   * `unknown_key` verdicts for unchecked keys that may go to Stytch per second (default 10): an
   * unchecked kid may be junk, and junk must not amplify into Stytch traffic. Beyond it the verdict
   * says `askStytch: false` (503). Genuine JWTs (retired keys) do not count.
   */
  unknownKeyStytchPerSecond?: number
  now?: () => number
}

/** A verified token as remembered: never the token itself, only what was derived from it. */
interface VerifiedEntry {
  context: SessionContext
  kid: string
  issuedAt: number
  notBefore: number
  expiresAt: number
  /** The verdict a hit returns, built once: a hit allocates nothing. */
  accepted: JwtVerdict & { ok: true }
}

/** The default number of remembered tokens. */
export const DEFAULT_JWT_CACHE_ENTRIES = 100_000

/**
 * True when the string has the shape of a compact JWS: three non-empty dot-separated parts. Only a
 * routing decision (JWT or session token); the verifier checks the encoding itself.
 */
export function looksLikeJwt (value: string): boolean {
  const first = value.indexOf('.')
  const second = value.indexOf('.', first + 1)
  return first > 0 && second > first + 1 && second < value.length - 1 && value.indexOf('.', second + 1) === -1
}

/**
 * The cache key: the SHA-256 of the whole token. A token that differs in any byte is a miss (and is
 * verified in full); the cache holds no token, so a heap dump or a memory disclosure yields no
 * credential, and an entry costs 44 bytes of key instead of the token's ~1 KB.
 */
const digestOf = (token: string): string => hash('sha256', token, 'base64')

/**
 * Verifies Stytch session JWTs locally: RS256 only, `typ: JWT`, the project's issuer and audience,
 * `exp`/`nbf` with a small tolerance and a maximum token age.
 *
 * A client presents the same JWT for minutes, and an RS256 verification costs about 60 µs, so a
 * verified token is remembered (keyed by the SHA-256 of its exact bytes: any change to the token is
 * a miss; only the derived context is kept, never the token). A hit
 * re-checks everything that depends on time or on the key set — expiry, not-before, token age and
 * whether its signing key is still published — and skips only the signature and claim parsing.
 */
export function createJwtVerifier (options: JwtVerifierOptions) {
  const now = options.now ?? Date.now
  const cacheSize = options.cacheSize ?? DEFAULT_JWT_CACHE_ENTRIES
  const tolerance = options.clockToleranceSeconds
  const stytchPerSecond = options.unknownKeyStytchPerSecond ?? 10
  const verified = new Map<string, VerifiedEntry>()
  const issuer = `stytch.com/${options.projectId}`
  let budgetWindowStart = -Infinity
  let budgetUsed = 0

  /** One unit of the per-second budget of Stytch calls for unchecked tokens, if any is left. */
  function takeStytchBudget (): boolean {
    const at = now()
    if (at - budgetWindowStart >= 1000) {
      budgetWindowStart = at
      budgetUsed = 0
    }
    if (budgetUsed >= stytchPerSecond) return false
    budgetUsed++
    return true
  }

  const unknownKey = (askStytch: boolean, retryAfterMs: number): UnknownKeyVerdict =>
    ({ ok: false, reason: 'unknown_key', askStytch, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) })

  /** The refusal that `exp`, `nbf` and `iat` alone justify now, if any. */
  function timeRejection (issuedAt: number, notBefore: number, expiresAt: number): JwtVerdict | undefined {
    const seconds = now() / 1000
    if (seconds >= expiresAt + tolerance) return { ok: false, reason: 'expired' }
    if (seconds + tolerance < notBefore) return { ok: false, reason: 'invalid' }
    // Issued in the future (beyond the clock tolerance): not a token Stytch minted for now.
    if (seconds + tolerance < issuedAt) return { ok: false, reason: 'invalid' }
    if (seconds - issuedAt >= options.maxTokenAgeSeconds) return { ok: false, reason: 'too_old' }
    return undefined
  }

  function checkTimes (entry: VerifiedEntry): JwtVerdict {
    const rejection = timeRejection(entry.issuedAt, entry.notBefore, entry.expiresAt)
    if (rejection !== undefined) return rejection
    // Verified earlier with a key a later fetch no longer lists (retired by Stytch): genuine, Stytch decides.
    if (!options.jwks.has(entry.kid)) return unknownKey(true, 0)
    return entry.accepted
  }

  function remember (key: string, entry: VerifiedEntry): void {
    if (cacheSize <= 0) return
    if (verified.size >= cacheSize) {
      // Map iteration order is insertion order: drop the oldest entry.
      const oldest = verified.keys().next().value
      if (oldest !== undefined) verified.delete(oldest)
    }
    verified.set(key, entry)
  }

  /**
   * The checks that need no key, on the unverified header and claims of a token whose key cannot be
   * checked yet: a token failing them cannot be valid whoever signed it, so it never reaches Stytch.
   */
  function checkUnverified (token: string, retryAfterMs: number): JwtVerdict {
    let payload: JWTPayload
    let typ: unknown
    try {
      typ = decodeProtectedHeader(token).typ
      payload = decodeJwt(token)
    } catch {
      return { ok: false, reason: 'invalid' }
    }
    const audience = typeof payload.aud === 'string' ? [payload.aud] : payload.aud ?? []
    if (typeof typ !== 'string' || typ.toLowerCase().replace(/^application\//, '') !== 'jwt' ||
      payload.iss !== issuer || !audience.includes(options.projectId) ||
      typeof payload.iat !== 'number' || typeof payload.exp !== 'number' ||
      (payload.nbf !== undefined && typeof payload.nbf !== 'number') || contextFromClaims(payload) === null) {
      return { ok: false, reason: 'invalid' }
    }
    return timeRejection(payload.iat, payload.nbf ?? 0, payload.exp) ?? unknownKey(takeStytchBudget(), retryAfterMs)
  }

  async function verifySignature (token: string, key: string): Promise<JwtVerdict> {
    let unchecked: { retryAfterMs: number } | undefined
    try {
      const { payload, protectedHeader } = await jwtVerify(token, async (header: JWTHeaderParameters) => {
        if (header.alg !== 'RS256' || typeof header.kid !== 'string') throw new errors.JOSEAlgNotAllowed('only RS256 with a kid')
        const found = await options.jwks.lookup(header.kid)
        if (found.status === 'unchecked') {
          unchecked = { retryAfterMs: found.retryAfterMs }
          throw new errors.JWKSNoMatchingKey()
        }
        // Stytch does not publish this kid (a fetch made after it was first seen says so): junk.
        if (found.status === 'absent') throw new errors.JWKSNoMatchingKey()
        // `found`, or `retired`: a valid signature then proves the token genuine, and checkTimes
        // (the key is no longer published) makes it `unknown_key`, never remembered.
        return found.key
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
      const issuedAt = payload.iat as number
      const expiresAt = payload.exp as number
      const entry: VerifiedEntry = {
        context,
        kid: protectedHeader.kid as string,
        issuedAt,
        notBefore: payload.nbf ?? 0,
        expiresAt,
        accepted: { ok: true, context, issuedAt, expiresAt }
      }
      const verdict = checkTimes(entry)
      if (verdict.ok) remember(key, entry)
      return verdict
    } catch (err) {
      if (unchecked !== undefined) return checkUnverified(token, unchecked.retryAfterMs)
      // Expiry is only reported by jose after the signature has been verified.
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' }
      return { ok: false, reason: 'invalid' }
    }
  }

  return {
    /**
     * Synchronous for a remembered token (the common case), a promise when the signature must be
     * checked. Never rejects. See {@link JwtRejection} for what each refusal means to the caller.
     */
    verify (token: string): JwtVerdict | Promise<JwtVerdict> {
      const key = digestOf(token)
      const entry = verified.get(key)
      if (entry === undefined) return verifySignature(token, key)
      const verdict = checkTimes(entry)
      if (!verdict.ok) verified.delete(key)
      return verdict
    },
    /** Number of remembered tokens (for tests and metrics). */
    get size () { return verified.size }
  }
}

export type JwtVerifier = ReturnType<typeof createJwtVerifier>
