import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AppOptions } from '../../src/app.js'
import { createJwtVerifier } from '../../src/auth/jwt-verifier.js'
import { createSessionRefresher } from '../../src/auth/session-refresher.js'
import { createStytchClient } from '../../src/stytch/client.js'
import { createJwksCache } from '../../src/stytch/jwks.js'

function createStytchServices (fastify: FastifyInstance, opts: AppOptions) {
  const { config } = opts
  if (config.STYTCH_PROJECT_ID === undefined || config.STYTCH_SECRET === undefined) {
    throw new Error('stytch plugin: STYTCH_PROJECT_ID and STYTCH_SECRET must be resolved before the app is built (server.ts starts the emulator when they are unset)')
  }
  const projectId = config.STYTCH_PROJECT_ID
  const connection = opts.stytch ?? createStytchClient({
    projectId,
    secret: config.STYTCH_SECRET,
    ...(config.STYTCH_API_URL === undefined ? {} : { apiUrl: config.STYTCH_API_URL }),
    timeoutMs: config.STYTCH_TIMEOUT_MS
  })
  const jwks = createJwksCache({
    client: connection.client,
    projectId,
    refetchFloorMs: config.JWKS_REFETCH_COOLDOWN_SECONDS * 1000
  })
  return {
    client: connection.client,
    connection,
    projectId,
    jwks,
    verifier: createJwtVerifier({
      jwks,
      projectId,
      clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
      maxTokenAgeSeconds: config.JWT_MAX_AGE_SECONDS
    }),
    refresher: createSessionRefresher({ client: connection.client, sessionDurationMinutes: config.SESSION_DURATION_MINUTES })
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    stytch: ReturnType<typeof createStytchServices>
  }
}

const JWKS_RETRY_MS = 2000

/**
 * The one way to Stytch: the SDK client plus what is built on it (JWKS cache, JWT verifier,
 * single-flight session refresher). The key set is loaded at start-up without
 * blocking it (/readyz answers 200 once it has loaded; until then it is retried every 2 s), then
 * refreshed every JWKS_CACHE_SECONDS; a failed refresh keeps the keys already known. Between those,
 * JWTs naming a kid not in the set refetch it at most once per JWKS_REFETCH_COOLDOWN_SECONDS (the
 * floor, src/stytch/jwks.ts), so a key Stytch rotates in is picked up within about a second.
 */
export default fp(async function stytch (fastify: FastifyInstance, opts: AppOptions) {
  const services = createStytchServices(fastify, opts)
  fastify.decorate('stytch', services)
  let retry: NodeJS.Timeout | undefined
  const loadKeys = (): void => {
    services.jwks.refresh().catch(() => {
      fastify.log.warn('JWKS not loaded yet (Stytch unreachable?); retrying')
      retry = setTimeout(loadKeys, JWKS_RETRY_MS).unref()
    })
  }
  const refreshKeys = setInterval(() => {
    if (services.jwks.loaded) services.jwks.refresh().catch(() => fastify.log.warn('JWKS refresh failed; keeping the keys already loaded'))
  }, opts.config.JWKS_CACHE_SECONDS * 1000).unref()
  fastify.addHook('onReady', async () => { loadKeys() })
  fastify.addHook('onClose', async () => {
    clearInterval(refreshKeys)
    clearTimeout(retry)
    if (opts.stytch === undefined) await services.connection.close()
  })
}, { name: 'stytch' })
