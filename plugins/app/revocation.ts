import type { FastifyInstance } from 'fastify'
import type { AppOptions } from '../../src/app.js'
import fp from 'fastify-plugin'
import { createMemoryRevocationStore, createRedisRevocationStore, type RevocationStore } from '../../src/revocation/store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Sessions revoked through this API, checked on every request's fast path. */
    revocations: RevocationStore
  }
}

/**
 * The revocation list: shared by every instance through Redis when REDIS_URL is set (a revoke
 * resolves once every live instance applied it), else per process (embedded default). While Redis
 * is unreachable the store reports itself unhealthy and the auth plugin fails closed.
 */
export default fp(async function revocation (fastify: FastifyInstance, opts: Pick<AppOptions, 'revocationsFile'>) {
  const { config } = fastify
  const store = config.REDIS_URL === undefined
    ? createMemoryRevocationStore(opts.revocationsFile === undefined ? {} : { file: opts.revocationsFile, log: fastify.log })
    : createRedisRevocationStore({
      url: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      ackTimeoutMs: config.REVOCATION_ACK_TIMEOUT_MS,
      onAck: fastify.obs.revocationAck,
      log: fastify.log
    })
  await store.start()
  fastify.decorate('revocations', store)
  fastify.addHook('onClose', async () => { await store.close() })
}, { name: 'revocation' })
