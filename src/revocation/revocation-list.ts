/**
 * Session ids revoked through this API, checked on every request's fast path. A session JWT keeps
 * verifying locally until its `exp` even after Stytch revoked the session, so an entry must live
 * until the longest JWT it could match has expired; after that the JWT is rejected on its own.
 * The list is bounded (`maxEntries`): past it, the oldest entry is dropped. Entries are kept in
 * insertion order, which is also (nearly) expiry order, so a sweep stops at the first live one.
 */
export interface RevocationList {
  revoke (sessionId: string, untilMs: number): void
  isRevoked (sessionId: string): boolean
  /** The unexpired entries, oldest first: what a shared store re-publishes after losing its copy. */
  liveEntries (): IterableIterator<[sessionId: string, untilMs: number]>
  readonly size: number
}

export interface RevocationListOptions {
  maxEntries?: number
  now?: () => number
}

export function createRevocationList (options: RevocationListOptions = {}): RevocationList {
  const now = options.now ?? Date.now
  const maxEntries = options.maxEntries ?? 100_000
  const entries = new Map<string, number>()

  function sweep (): void {
    const t = now()
    for (const [id, until] of entries) {
      if (until > t) break
      entries.delete(id)
    }
  }

  return {
    revoke (sessionId, untilMs) {
      const previous = entries.get(sessionId)
      entries.delete(sessionId)
      entries.set(sessionId, Math.max(untilMs, previous ?? 0))
      sweep()
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value
        if (oldest !== undefined) entries.delete(oldest)
      }
    },
    isRevoked (sessionId) {
      if (entries.size === 0) return false
      const until = entries.get(sessionId)
      return until !== undefined && until > now()
    },
    * liveEntries () {
      const t = now()
      for (const entry of entries) {
        if (entry[1] > t) yield entry
      }
    },
    get size () { return entries.size }
  }
}
