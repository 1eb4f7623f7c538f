import { importJWK, type CryptoKey } from 'jose'
import type { B2BClient } from 'stytch'

export interface JwksCacheOptions {
  client: B2BClient
  projectId: string
  /**
   * Global floor between two JWKS fetches caused by lookups of kids that are not in the set
   * (default 1 s): however many junk kids arrive, they cost at most one fetch per floor, and a key
   * Stytch really publishes is found by the first fetch after the floor. Explicit `refresh()` calls
   * (start-up, the periodic refresh) are not held back by it.
   */
  refetchFloorMs?: number
  /**
   * How long a fetch is trusted to say that a kid is not published (default 60 s). After that, a
   * lookup of such a kid refetches once (floor permitting) before answering `absent` again; the
   * answer meanwhile stays `absent`. So a repeated junk kid costs at most one fetch per this period.
   */
  absentTrustMs?: number
  /** Kids looked up and not found that are remembered (oldest forgotten first; default 10 000). */
  maxUnknownKids?: number
  /** Keys dropped from the set by a later fetch that are kept to recognise genuine old JWTs (default 8). */
  maxRetiredKeys?: number
  now?: () => number
}

/**
 * What the cache can say about a `kid`:
 * - `found`: in the current key set.
 * - `retired`: Stytch published this key earlier and a later fetch no longer lists it. A JWT that
 *   verifies against it is genuine but can no longer be accepted locally: Stytch decides.
 * - `absent`: a fetch that began after this kid was first seen succeeded and did not list it, so
 *   Stytch did not sign with it (a JWT naming it existed before that fetch, its key would have been
 *   published by then). Nothing to ask anyone: the JWT is junk.
 * - `unchecked`: no fetch has been possible since the kid was first seen (the floor has not passed,
 *   or the fetch failed). Says nothing about the token; `retryAfterMs` is when a fetch is next allowed.
 */
export type KeyLookup =
  | { status: 'found', key: CryptoKey }
  | { status: 'retired', key: CryptoKey }
  | { status: 'absent' }
  | { status: 'unchecked', retryAfterMs: number }

export interface JwksCache {
  /** What is known about `kid`; fetches the set first when that can settle it and the floor allows. Never rejects. */
  lookup (kid: string): KeyLookup | Promise<KeyLookup>
  /** Whether `kid` is in the current set (no network). */
  has (kid: string): boolean
  /** Fetches the key set now (concurrent calls share one fetch); keeps the previous keys if it fails. */
  refresh (): Promise<void>
  /** True once a key set has been loaded at least once. */
  readonly loaded: boolean
}

interface Fetch { sequence: number, startedAt: number, promise: Promise<void> }

/**
 * Stytch's signing keys, fetched through the SDK (the owner refreshes them periodically). Unlike
 * jose's remote key set, a failed refresh keeps serving the keys already known: a Stytch outage must
 * not stop local verification of JWTs that were valid a second earlier. Keys that disappear from a
 * successful fetch are dropped from the set (and remembered as retired).
 *
 * Unknown kids: a kid is remembered from the first lookup that did not find it. It is `absent` only
 * once a fetch that started at or after that moment has succeeded without it; until then it is
 * `unchecked` — never `absent` because of a fetch that predates the token. That is the difference
 * from a plain cooldown, where one junk kid just before a key rotation made every JWT signed by the
 * new key look unknown until the cooldown ended.
 */
export function createJwksCache (options: JwksCacheOptions): JwksCache {
  const now = options.now ?? Date.now
  const floorMs = options.refetchFloorMs ?? 1000
  const absentTrustMs = options.absentTrustMs ?? 60_000
  const maxUnknown = options.maxUnknownKids ?? 10_000
  const maxRetired = options.maxRetiredKeys ?? 8
  let keys = new Map<string, CryptoKey>()
  const retired = new Map<string, CryptoKey>()
  /**
   * kid → how many fetches had started when a lookup first failed to find it. A sequence, not a
   * time: "a fetch that began after the kid was first seen" is then exact. Insertion order = age.
   */
  const unknown = new Map<string, number>()
  let loaded = false
  let fetchesStarted = 0
  /** Sequence number (1-based) and start time of the latest successful fetch. */
  let lastSuccess = { sequence: 0, startedAt: -Infinity }
  let lastAttemptEndedAt = -Infinity
  let inFlight: Fetch | null = null

  const bounded = <V>(map: Map<string, V>, max: number): void => {
    while (map.size > max) {
      const oldest = map.keys().next().value
      if (oldest === undefined) return
      map.delete(oldest)
    }
  }

  async function load (sequence: number, startedAt: number): Promise<void> {
    try {
      const { keys: jwks } = await options.client.sessions.getJWKS({ project_id: options.projectId })
      const next = new Map<string, CryptoKey>()
      for (const jwk of jwks) {
        // Only RSA signing keys for RS256 are usable; anything else in the set is ignored.
        if (jwk.kty !== 'RSA' || (jwk.alg !== undefined && jwk.alg !== 'RS256') || (jwk.use !== undefined && jwk.use !== 'sig')) continue
        next.set(jwk.kid, await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, 'RS256') as CryptoKey)
      }
      for (const [kid, key] of keys) {
        if (!next.has(kid)) retired.set(kid, key)
      }
      for (const kid of next.keys()) {
        retired.delete(kid)
        unknown.delete(kid)
      }
      bounded(retired, maxRetired)
      keys = next
      loaded = true
      if (sequence > lastSuccess.sequence) lastSuccess = { sequence, startedAt }
    } finally {
      lastAttemptEndedAt = now()
    }
  }

  function refresh (): Promise<void> {
    if (inFlight !== null) return inFlight.promise
    const startedAt = now()
    const sequence = ++fetchesStarted
    const fetch: Fetch = { sequence, startedAt, promise: load(sequence, startedAt).finally(() => { inFlight = null }) }
    inFlight = fetch
    return fetch.promise
  }

  /** The answer from what is known now, for a kid first seen after `seenAfter` fetches had started. */
  function settle (kid: string, seenAfter: number): KeyLookup {
    const key = keys.get(kid)
    if (key !== undefined) return { status: 'found', key }
    const old = retired.get(kid)
    if (old !== undefined) return { status: 'retired', key: old }
    if (lastSuccess.sequence > seenAfter) return { status: 'absent' }
    return { status: 'unchecked', retryAfterMs: Math.max(0, lastAttemptEndedAt + floorMs - now()) }
  }

  return {
    lookup (kid) {
      const key = keys.get(kid)
      if (key !== undefined) return { status: 'found', key }
      const old = retired.get(kid)
      if (old !== undefined) return { status: 'retired', key: old }
      const at = now()
      let seenAfter = unknown.get(kid)
      if (seenAfter === undefined) {
        seenAfter = fetchesStarted
        unknown.set(kid, seenAfter)
        bounded(unknown, maxUnknown)
      }
      const checked = lastSuccess.sequence > seenAfter
      if (checked && at - lastSuccess.startedAt < absentTrustMs) return { status: 'absent' }
      // A fetch under way may find the key (or, if it started after the kid was first seen, settle it).
      const seen = seenAfter
      const answer = (): KeyLookup => settle(kid, seen)
      if (inFlight !== null) return inFlight.promise.then(answer, answer)
      if (at - lastAttemptEndedAt >= floorMs) return refresh().then(answer, answer)
      return settle(kid, seen)
    },
    has: (kid) => keys.has(kid),
    refresh,
    get loaded () { return loaded }
  }
}
