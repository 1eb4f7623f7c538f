import { createRevocationList } from './revocation-list.js'
import type { RevocationStore } from './store.js'

export interface MemoryRevocationStoreOptions {
  maxEntries?: number
  now?: () => number
}

/** The embedded default (no REDIS_URL): one process, so nothing can be missed — always healthy. */
export function createMemoryRevocationStore (options: MemoryRevocationStoreOptions = {}): RevocationStore {
  const list = createRevocationList(options)
  return {
    async revoke (sessionId, untilMs) { list.revoke(sessionId, untilMs) },
    isRevoked (sessionId) { return list.isRevoked(sessionId) },
    healthy: true,
    get size () { return list.size },
    async start () {},
    async close () {}
  }
}
