/**
 * The revocation list as the app uses it: local and O(1) on the request path, shared between
 * instances when Redis is configured. See DESIGN.md §5 and the README of this folder.
 */
export interface RevocationStore {
  /**
   * Revokes locally at once, then shares it; resolves once every live peer instance has applied
   * it (or ackTimeoutMs passed — then it logs a warning and resolves). Never throws because Redis
   * is down: the revocation is queued and published when Redis is back.
   */
  revoke (sessionId: string, untilMs: number): Promise<void>
  /** O(1), synchronous, no I/O: the fast path calls it on every request. */
  isRevoked (sessionId: string): boolean
  /**
   * False while revocations from other instances may be missed (Redis unreachable, or not yet
   * loaded after (re)connecting): callers must then not trust the local list alone (they take the
   * remote check — fail closed). Always true for the memory store.
   */
  readonly healthy: boolean
  readonly size: number
  /** Memory: no-op. Redis: connect, subscribe, load live entries; resolves even if Redis is down. */
  start (): Promise<void>
  close (): Promise<void>
}

/** What the Redis store logs through (a Fastify logger fits): outages, recoveries, slow acks. */
export interface RevocationLog {
  warn (obj: object, msg: string): void
  info (obj: object, msg: string): void
}

export { createMemoryRevocationStore, type MemoryRevocationStoreOptions } from './memory-store.js'
export { createRedisRevocationStore, type RedisRevocationStoreOptions } from './redis-store.js'
