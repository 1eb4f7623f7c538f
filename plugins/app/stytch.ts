import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createStytchClient } from '../../src/stytch/client.js'
import { createJwksCache } from '../../src/stytch/jwks.js'
import { createBulkhead } from '../../src/stytch/bulkhead.js'
import { callStytch, type StytchCall } from '../../src/stytch/errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    stytch: ReturnType<typeof createStytchServices>
  }
}

function createStytchServices (fastify: FastifyInstance) {
  const { config } = fastify
  if (config.STYTCH_PROJECT_ID === undefined || config.STYTCH_SECRET === undefined) {
    throw new Error('stytch plugin: STYTCH_PROJECT_ID and STYTCH_SECRET must be resolved before the app is built (server.ts starts the emulator when they are unset)')
  }
  const connection = createStytchClient({
    projectId: config.STYTCH_PROJECT_ID,
    secret: config.STYTCH_SECRET,
    ...(config.STYTCH_API_URL === undefined ? {} : { apiUrl: config.STYTCH_API_URL }),
    timeoutMs: config.STYTCH_TIMEOUT_MS
  })
  const jwks = createJwksCache({
    client: connection.client,
    projectId: config.STYTCH_PROJECT_ID,
    refetchFloorMs: config.JWKS_REFETCH_COOLDOWN_SECONDS * 1000
  })
  // The one place every Stytch call on the request path passes: latency, outcome and a span (plugins/external/metrics.ts).
  const timed = fastify.obs.stytch
  const bulkhead = createBulkhead({ maxConcurrent: config.STYTCH_MAX_CONCURRENT, maxQueue: config.STYTCH_MAX_QUEUED, queueTimeoutMs: config.STYTCH_QUEUE_TIMEOUT_MS })
  return {
    client: connection.client,
    connection,
    jwks,
    bulkhead,
    /** One Stytch call on the request path: through the bulkhead, its failure translated once. */
    call: <T, F = never>(kind: StytchCall, fn: () => Promise<T>, expected?: Parameters<typeof callStytch<T, F>>[2]): Promise<T | F> =>
      callStytch(kind, () => timed(endpointOf(kind), () => bulkhead.run(fn)), expected),
    /** The slow path's upstream calls (the session refresher): through the bulkhead, observed as the others. */
    run: <T>(fn: () => Promise<T>): Promise<T> => timed('session', () => bulkhead.run(fn))
  }
}

/** A bounded metrics label (and span attribute) per kind of call: names from the code, never a value. */
const endpointOf = (call: StytchCall): string => call.kind === 'manage' ? `manage:${call.action}:${call.resource}` : call.kind

const JWKS_RETRY_MS = 2000

/**
 * The one way to Stytch: the SDK client (with real timeouts), the bulkhead every request-path call
 * goes through (`call`), and Stytch's signing keys. The key set is loaded at start-up without
 * blocking it (/readyz answers 200 once it has loaded; until then it is retried every 2 s), then
 * refreshed every JWKS_CACHE_SECONDS; a failed refresh keeps the keys already known. Between those,
 * JWTs naming a kid not in the set refetch it at most once per JWKS_REFETCH_COOLDOWN_SECONDS (the
 * floor, src/stytch/jwks.ts), so a key Stytch rotates in is picked up within about a second.
 */
export default fp(async function stytch (fastify: FastifyInstance) {
  const services = createStytchServices(fastify)
  fastify.decorate('stytch', services)
  // In place of the SDK's console warning about a custom `env` (src/stytch/client.ts): one log line.
  if (fastify.config.STYTCH_API_URL !== undefined) fastify.log.info({ stytchApiUrl: fastify.config.STYTCH_API_URL }, 'Stytch API at a custom URL (STYTCH_API_URL): an emulator or a proxy, not Stytch\'s own')
  let retry: NodeJS.Timeout | undefined
  const loadKeys = (): void => {
    services.jwks.refresh().catch(() => {
      fastify.log.warn('JWKS not loaded yet (Stytch unreachable?); retrying')
      retry = setTimeout(loadKeys, JWKS_RETRY_MS).unref()
    })
  }
  const refreshKeys = setInterval(() => {
    if (services.jwks.loaded) services.jwks.refresh().catch(() => fastify.log.warn('JWKS refresh failed; keeping the keys already loaded'))
  }, fastify.config.JWKS_CACHE_SECONDS * 1000).unref()
  fastify.addHook('onReady', async () => { loadKeys() })
  fastify.addHook('onClose', async () => {
    clearInterval(refreshKeys)
    clearTimeout(retry)
    await services.connection.close()
  })
}, { name: 'stytch', dependencies: ['metrics'] })
