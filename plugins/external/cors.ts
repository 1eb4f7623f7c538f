import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/** Credentialed CORS for the configured SPA origins only; every other origin gets no CORS headers. */
export const autoConfig = (fastify: FastifyInstance): FastifyCorsOptions => ({
  origin: fastify.config.CORS_ORIGINS,
  credentials: true,
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['content-type', 'authorization', 'if-match', 'idempotency-key'],
  exposedHeaders: ['x-session-jwt', 'etag', 'retry-after'],
  maxAge: 600
})

export default cors
