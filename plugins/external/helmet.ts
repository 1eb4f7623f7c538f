import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../src/config.js'

/**
 * The security headers of every API response (JSON, redirects, errors, 404s), computed once at
 * start-up and set by one hook: helmet's default set, with the CSP and framing of a JSON API — the
 * response may never be framed (`frame-ancestors 'none'`, `X-Frame-Options: DENY`) and, if a
 * browser ever renders it as a document, it may load nothing (`default-src 'none'`). A route that
 * serves an HTML page sets its own `Content-Security-Policy` in its handler (it replaces this one).
 *
 * The names are exactly the ones helmet sets, so that on Swagger UI pages (below) helmet's values
 * replace all of them.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0'
})

const API_HEADER_NAMES = Object.keys(API_SECURITY_HEADERS)

export default fp(async function securityHeaders (fastify: FastifyInstance) {
  fastify.addHook('onRequest', function apiSecurityHeaders (_request, reply, done) {
    void reply.headers(API_SECURITY_HEADERS)
    done()
  })
}, { name: 'security-headers' })

/**
 * Helmet for Swagger UI's pages: its default CSP (which the UI works with: no inline scripts), but
 * `upgrade-insecure-requests` only when PUBLIC_URL is https. Over plain http that directive makes
 * the browser fetch the UI's scripts over https, which fails: a blank page on any host but
 * localhost (browsers exempt it), such as the Docker image reached by IP.
 */
export const swaggerUiHelmetOptions = (config: Pick<Config, 'PUBLIC_URL'>): FastifyHelmetOptions => ({
  global: true,
  ...(config.PUBLIC_URL.startsWith('https://') ? {} : { contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } })
})

/**
 * Registered inside the scope of Swagger UI's routes (plugins/external/swagger.ts): the API's
 * precomputed headers are dropped there and helmet's full set takes their place.
 */
export const swaggerUiSecurityHeaders = fp(async function swaggerUiSecurityHeaders (scope: FastifyInstance) {
  scope.addHook('onRequest', function dropApiSecurityHeaders (_request, reply, done) {
    for (const name of API_HEADER_NAMES) void reply.removeHeader(name)
    done()
  })
  await scope.register(helmet, swaggerUiHelmetOptions(scope.config))
}, { name: 'swagger-ui-security-headers' })
