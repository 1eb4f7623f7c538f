import rateLimit, { type FastifyRateLimitOptions } from '@fastify/rate-limit'

/**
 * Rate limiting is opt-in per route (`config.rateLimit`). The client address is `request.ip`, which
 * only honours X-Forwarded-For when TRUST_PROXY names the proxy.
 */
export const autoConfig: FastifyRateLimitOptions = { global: false }

export default rateLimit
