import { importJWK, type CryptoKey } from 'jose'
import type { B2BClient } from 'stytch'

export interface JwksCacheOptions {
  client: B2BClient
  projectId: string
  /** Minimum time between refetches triggered by an unknown `kid` (junk tokens must not flood Stytch). */
  unknownKidCooldownMs?: number
  now?: () => number
}

export interface JwksCache {
  /** The verification key for `kid`; refetches the set once (rate-limited) when the kid is unknown. */
  getKey (kid: string): Promise<CryptoKey | undefined>
  /** Whether `kid` is in the current set (no network). */
  has (kid: string): boolean
  /** Fetches the key set now (concurrent calls share one fetch); keeps the previous keys if it fails. */
  refresh (): Promise<void>
  /** True once a key set has been loaded at least once. */
  readonly loaded: boolean
}

/**
 * Stytch's signing keys, fetched through the SDK (the owner refreshes them periodically). Unlike jose's remote key set, a failed refresh
 * keeps serving the keys already known: a Stytch outage must not stop local verification of JWTs
 * that were valid a second earlier. Keys that disappear from a successful fetch are dropped.
 */
export function createJwksCache (options: JwksCacheOptions): JwksCache {
  const now = options.now ?? Date.now
  const cooldownMs = options.unknownKidCooldownMs ?? 30_000
  let keys = new Map<string, CryptoKey>()
  let loaded = false
  let attemptedAt = -Infinity
  let inFlight: Promise<void> | null = null

  async function load (): Promise<void> {
    attemptedAt = now()
    const { keys: jwks } = await options.client.sessions.getJWKS({ project_id: options.projectId })
    const next = new Map<string, CryptoKey>()
    for (const jwk of jwks) {
      // Only RSA signing keys for RS256 are usable; anything else in the set is ignored.
      if (jwk.kty !== 'RSA' || (jwk.alg !== undefined && jwk.alg !== 'RS256') || (jwk.use !== undefined && jwk.use !== 'sig')) continue
      next.set(jwk.kid, await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, 'RS256') as CryptoKey)
    }
    keys = next
    loaded = true
  }

  function refresh (): Promise<void> {
    inFlight ??= load().finally(() => { inFlight = null })
    return inFlight
  }

  return {
    async getKey (kid) {
      const key = keys.get(kid)
      if (key !== undefined || now() - attemptedAt < cooldownMs) return key
      await refresh().catch(() => {})
      return keys.get(kid)
    },
    has: (kid) => keys.has(kid),
    refresh,
    get loaded () { return loaded }
  }
}
