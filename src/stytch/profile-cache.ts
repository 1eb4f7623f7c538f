/**
 * A small per-member cache of profiles read from Stytch (`members.get`), so a profile screen that
 * polls does not cost a Stytch call per view. Bounded (least recently used entries go first) and
 * short-lived: Stytch stays the source of truth, and a change made elsewhere (Stytch's dashboard,
 * another instance of this API) shows within `ttlMs`. Changes made through this instance invalidate
 * the entry at once (`delete`), or replace it with Stytch's answer to the change (`set`).
 *
 * Framework-free; the clock is a seam for tests.
 */
export interface ProfileCacheOptions {
  /** How long an entry is served (ms). */
  ttlMs: number
  /** Most entries kept; the least recently used is evicted past it. */
  maxEntries: number
  now?: () => number
}

export interface ProfileCache<T> {
  get: (organizationId: string, memberId: string) => T | undefined
  /**
   * The cached value, or `fetch`'s answer, which is cached — unless a change (`set`/`delete`) happened
   * while it was in flight: that answer may predate the change, so it is returned but not kept.
   */
  load: (organizationId: string, memberId: string, fetch: () => Promise<T>) => Promise<T>
  set: (organizationId: string, memberId: string, value: T) => void
  delete: (organizationId: string, memberId: string) => void
  readonly size: number
}

export const PROFILE_CACHE_TTL_MS = 30_000
export const PROFILE_CACHE_MAX_ENTRIES = 10_000

export function createProfileCache<T> (options: ProfileCacheOptions): ProfileCache<T> {
  const now = options.now ?? Date.now
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
  const entries = new Map<string, { value: T, expiresAt: number }>()
  const key = (organizationId: string, memberId: string): string => `${organizationId}\u0000${memberId}`
  // Bumped by every change: a load that sees another value of it raced a change and keeps nothing.
  let changes = 0

  function store (k: string, value: T): void {
    entries.delete(k)
    entries.set(k, { value, expiresAt: now() + options.ttlMs })
    while (entries.size > options.maxEntries) {
      const oldest = entries.keys().next().value as string
      entries.delete(oldest)
    }
  }

  const cache: ProfileCache<T> = {
    get (organizationId, memberId) {
      const k = key(organizationId, memberId)
      const entry = entries.get(k)
      if (entry === undefined) return undefined
      entries.delete(k)
      if (entry.expiresAt <= now()) return undefined
      entries.set(k, entry)
      return entry.value
    },
    async load (organizationId, memberId, fetch) {
      const cached = cache.get(organizationId, memberId)
      if (cached !== undefined) return cached
      const before = changes
      const value = await fetch()
      if (before === changes) store(key(organizationId, memberId), value)
      return value
    },
    set (organizationId, memberId, value) {
      changes++
      store(key(organizationId, memberId), value)
    },
    delete (organizationId, memberId) {
      changes++
      entries.delete(key(organizationId, memberId))
    },
    get size () { return entries.size }
  }
  return cache
}
