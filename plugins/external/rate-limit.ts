import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

/**
 * Rate limiting is opt-in per route (`config.rateLimit`, or the auth routes' limits in
 * plugins/app/auth-rate-limits.ts). The client address is `request.ip`, which only honours
 * X-Forwarded-For when TRUST_PROXY names the proxy. With REDIS_URL the counters live in Redis, so
 * every instance counts together; while Redis is unreachable the limits are skipped (a login must
 * not fail because a counter cannot be read) — the slow path's own guard and the bulkhead, both in
 * memory, still hold.
 */
export default fp(async function rateLimits (fastify: FastifyInstance) {
  const { config } = fastify
  const redis = config.REDIS_URL === undefined
    ? undefined
    : new Redis(config.REDIS_URL, { connectTimeout: 1000, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: 'b2b-session-api-rate-limit' })
  // Without a listener a connection error would be unhandled; the store's calls fail and are skipped.
  redis?.on('error', () => {})
  await fastify.register(rateLimit, {
    global: false,
    // Route limits inherit this: every 429 of theirs is counted, by route template.
    onExceeded: (request) => { fastify.obs.rateLimited(request.routeOptions.url ?? 'unmatched') },
    ...(redis === undefined ? {} : { redis, nameSpace: `${config.REDIS_PREFIX}rate-limit:`, skipOnError: true })
  })
  fastify.addHook('onClose', async () => { redis?.disconnect() })
}, { name: 'rate-limit', dependencies: ['metrics'] })
