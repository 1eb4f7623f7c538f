import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { RateLimitedError } from '../../src/errors.js'

const toArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/** The public login routes (`/v1/auth/*`) that do not set limits of their own (sendLoginMagicLink does: per IP and per email). */
export const hasAuthRateLimits = (route: Pick<RouteOptions, 'url' | 'config'>): boolean => {
  const config = route.config as { public?: boolean, rateLimit?: unknown } | undefined
  return route.url.startsWith('/v1/auth/') && config?.public === true && config.rateLimit === undefined
}

/** The credential a login route is asked about (link token, session token, intermediate session token), by digest: never stored as such. */
function credentialOf (request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | undefined
  const query = request.query as Record<string, unknown> | undefined
  const value = body?.token ?? body?.session_token ?? body?.intermediate_session_token ?? query?.token
  return typeof value === 'string' ? createHash('sha256').update(value).digest('base64url').slice(0, 22) : undefined
}

/**
 * Limits on every public auth route, per client IP (before the body is read) and per credential
 * (once it is parsed): a link token or session token cannot be tried endlessly, and one client
 * cannot push unbounded traffic through login into Stytch. Counters go through
 * @fastify/rate-limit's store: shared through Redis when REDIS_URL is set.
 */
export default fp(async function authRateLimits (fastify: FastifyInstance) {
  const { config } = fastify
  const timeWindow = config.RATE_LIMIT_AUTH_WINDOW_SECONDS * 1000
  const perIp = fastify.createRateLimit({ max: config.RATE_LIMIT_AUTH_PER_IP, timeWindow, keyGenerator: (request: FastifyRequest) => `auth-ip:${request.ip}` })
  const perCredential = fastify.createRateLimit({ max: config.RATE_LIMIT_AUTH_PER_CREDENTIAL, timeWindow, keyGenerator: (request: FastifyRequest) => `auth-credential:${credentialOf(request) ?? ''}` })

  async function enforce (limit: typeof perIp, request: FastifyRequest): Promise<void> {
    const result = await limit(request)
    if (!result.isAllowed && result.isExceeded) {
      const seconds = Math.max(1, Math.ceil(result.ttl / 1000))
      throw Object.assign(new RateLimitedError(String(seconds)), { retryAfterSeconds: seconds })
    }
  }

  fastify.addHook('onRoute', (route) => {
    if (!hasAuthRateLimits(route)) return
    route.onRequest = [...toArray(route.onRequest), async (request: FastifyRequest) => { await enforce(perIp, request) }]
    route.preHandler = [...toArray(route.preHandler), async (request: FastifyRequest) => {
      if (credentialOf(request) !== undefined) await enforce(perCredential, request)
    }]
  })
}, { name: 'auth-rate-limits', dependencies: ['rate-limit'] })
