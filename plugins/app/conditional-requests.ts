import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { noneMatchHits, parseEntityTags, type EntityTagCondition } from '../../src/http/conditional.js'
import { InvalidIfMatchError, InvalidIfNoneMatchError } from '../../src/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The parsed `If-Match` (routes whose headers schema declares it); null when absent. */
    ifMatch: EntityTagCondition | null
    /** The parsed `If-None-Match` (routes whose headers schema declares it); null when absent. */
    ifNoneMatch: EntityTagCondition | null
  }
}

const toArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/** The header names a route's headers schema declares (lower case, as Fastify matches them). */
export function declaredHeaders (schema: unknown): Set<string> {
  const properties = (schema as { headers?: { properties?: Record<string, unknown> } } | undefined)?.headers?.properties
  return new Set(Object.keys(properties ?? {}).map((name) => name.toLowerCase()))
}

function parsed (request: FastifyRequest, name: 'if-match' | 'if-none-match'): EntityTagCondition | null {
  const header = request.headers[name]
  if (header === undefined) return null
  const condition = parseEntityTags(Array.isArray(header) ? header.join(',') : header)
  if (condition === undefined) throw name === 'if-match' ? new InvalidIfMatchError() : new InvalidIfNoneMatchError()
  return condition
}

/**
 * Conditional requests (RFC 9110 §13), for every route that declares the headers in its schema:
 * - `If-Match` / `If-None-Match` are parsed before validation (a syntax error is a 400 of its own,
 *   `invalid_if_match` / `invalid_if_none_match`) into `request.ifMatch` / `request.ifNoneMatch`;
 *   the route decides what `If-Match` means for its resource (e.g. `*`: any current version);
 * - a GET whose `If-None-Match` matches the answer's `ETag` (weak comparison) is answered `304 Not
 *   Modified` with the ETag and no body. The OpenAPI transform documents the 304 for these routes.
 */
export default fp(async function conditionalRequests (fastify: FastifyInstance) {
  fastify.decorateRequest('ifMatch', null)
  fastify.decorateRequest('ifNoneMatch', null)

  fastify.addHook('onRoute', (route: RouteOptions) => {
    const declared = declaredHeaders(route.schema)
    const ifMatch = declared.has('if-match')
    const ifNoneMatch = declared.has('if-none-match')
    if (!ifMatch && !ifNoneMatch) return
    route.preValidation = [...toArray(route.preValidation), function parseConditions (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
      try {
        if (ifMatch) request.ifMatch = parsed(request, 'if-match')
        if (ifNoneMatch) request.ifNoneMatch = parsed(request, 'if-none-match')
      } catch (err) {
        done(err as Error)
        return
      }
      done()
    }]
    if (!ifNoneMatch) return
    route.onSend = [...toArray(route.onSend), async function notModified (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
      const etag = reply.getHeader('etag')
      if (request.ifNoneMatch === null || reply.statusCode !== 200 || typeof etag !== 'string' || !noneMatchHits(request.ifNoneMatch, etag)) return payload
      void reply.code(304).removeHeader('content-type').removeHeader('content-length')
      return null
    }]
  })
}, { name: 'conditional-requests' })
