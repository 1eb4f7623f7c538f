import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/** Credentialed CORS for the configured SPA origins only; every other origin gets no CORS headers. */
export const autoConfig = (fastify: FastifyInstance): FastifyCorsOptions => ({
  origin: fastify.config.CORS_ORIGINS,
  credentials: true,
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['content-type', 'authorization', 'if-match', 'idempotency-key'],
  // What an SPA reads from responses: the version for If-Match, a created resource, when to
  // retry, the refreshed session JWT (bearer clients), the request id to report, an idempotent replay.
  exposedHeaders: ['etag', 'location', 'retry-after', 'x-session-jwt', 'x-request-id', 'idempotent-replayed'],
  maxAge: 600
})

export default cors
