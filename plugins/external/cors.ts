import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

export const CORS_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE'
export const CORS_ALLOWED_HEADERS = 'content-type, authorization, if-match, if-none-match, idempotency-key'
// What an SPA reads from responses: the version for If-Match, a created resource, when to retry,
// the refreshed session JWT (bearer clients), the request id to report, an idempotent replay.
export const CORS_EXPOSED_HEADERS = 'etag, location, retry-after, x-session-jwt, x-request-id, idempotent-replayed'
export const CORS_MAX_AGE_SECONDS = 600

/**
 * Credentialed CORS for the configured SPA origins only; every other origin gets no
 * `Access-Control-Allow-Origin`. The rules of @fastify/cors as this API configured it (exact origin
 * list, credentials, the methods and headers above, strict preflight answered before routing and
 * authentication), with the work done only when a request carries an `Origin` header — a browser
 * sends one on every cross-origin request, so a request without it needs no CORS headers; it gets
 * only `Vary: Origin` (the answer would differ with one). All header values are fixed at start-up.
 */
export default fp(async function cors (fastify: FastifyInstance) {
  const allowed = new Set(fastify.config.CORS_ORIGINS)

  fastify.addHook('onRequest', function corsHeaders (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const origin = request.headers.origin
    void reply.header('vary', 'Origin')
    if (origin === undefined) {
      if (request.method === 'OPTIONS') {
        void reply.code(400).type('text/plain').send('Invalid Preflight Request')
        return
      }
      done()
      return
    }
    const allowedOrigin = allowed.has(origin)
    if (allowedOrigin) {
      void reply.header('access-control-allow-origin', origin)
      void reply.header('access-control-allow-credentials', 'true')
      void reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS)
    }
    if (request.method !== 'OPTIONS') {
      done()
      return
    }
    // A preflight: answered here, before routing and authentication (the browser sends no credentials with it).
    if (request.headers['access-control-request-method'] === undefined) {
      void reply.code(400).type('text/plain').send('Invalid Preflight Request')
      return
    }
    if (allowedOrigin) {
      void reply.header('access-control-allow-methods', CORS_METHODS)
      void reply.header('access-control-allow-headers', CORS_ALLOWED_HEADERS)
      void reply.header('access-control-max-age', String(CORS_MAX_AGE_SECONDS))
    }
    void reply.code(204).header('content-length', '0').send()
  })

  // Lets OPTIONS reach the hook on every path (the hook always answers it).
  fastify.options('*', { schema: { hide: true } }, async (_request, reply) => { reply.callNotFound() })
}, { name: 'cors' })
