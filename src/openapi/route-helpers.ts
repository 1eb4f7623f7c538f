import { ErrorRef } from '../schemas/error.js'

/** 429 and 503 answers tell the client when to try again. */
const RETRY_AFTER = { 'retry-after': { type: 'integer', minimum: 0, description: 'seconds to wait before retrying' } }

/** Response entries for the given error statuses, all in the one ApiError shape (429/503 with Retry-After). */
export const errorResponses = (...statuses: number[]): Record<number, typeof ErrorRef> =>
  Object.fromEntries(statuses.map((status) => [status, status === 429 || status === 503 ? { ...ErrorRef, headers: RETRY_AFTER } : ErrorRef]))

/** OpenAPI security of authenticated routes: the session cookie, or a bearer JWT / session token. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ sessionCookie: [] }, { bearerAuth: [] }]

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface RouteFacts {
  method: string
  authenticated: boolean
  hasPermission: boolean
  rateLimited: boolean
  schema: { body?: unknown, params?: unknown, querystring?: unknown, headers?: unknown }
}

/**
 * The error statuses a route can answer because of what it declares, so no route has to list
 * them: validation (400), body limits (413, 415), authentication (401; 503 when Stytch is needed
 * and unreachable; 429 from the slow path's flood guard), a permission or the cookie Origin rule on
 * unsafe methods (403), rate limits (429).
 *
 * A request with an unsafe method may carry a body whether or not the route reads one, and Fastify
 * parses it all the same: a route that declares none still answers 400 (invalid JSON), 413 and 415
 * for it (found by the fuzz: logout, revokeSession, deleteDocument, revokeMemberSessions, removeMember).
 */
export function standardErrorStatuses (route: RouteFacts): number[] {
  const statuses = new Set<number>()
  const { schema } = route
  const parsesBody = schema.body !== undefined || UNSAFE_METHODS.has(route.method)
  if (parsesBody || schema.params !== undefined || schema.querystring !== undefined || schema.headers !== undefined) statuses.add(400)
  if (parsesBody) {
    statuses.add(413)
    statuses.add(415)
  }
  if (route.authenticated) {
    statuses.add(401)
    // The slow path's flood guard: a client address whose unproven credentials keep failing.
    statuses.add(429)
    statuses.add(503)
    if (route.hasPermission || UNSAFE_METHODS.has(route.method)) statuses.add(403)
  }
  if (route.rateLimited) statuses.add(429)
  return [...statuses]
}

/**
 * A route's OpenAPI responses: its own (success first, as declared) followed by every error status,
 * the declared ones and the standard ones together, in ascending order.
 */
export function withStandardErrors (response: Record<string, unknown> | undefined, standard: number[]): Record<string, unknown> {
  const own = Object.entries(response ?? {})
  const success = own.filter(([status]) => Number(status) < 400)
  const declaredErrors = new Map(own.filter(([status]) => Number(status) >= 400).map(([status, value]) => [Number(status), value]))
  const standardEntries = errorResponses(...standard)
  for (const status of standard) if (!declaredErrors.has(status)) declaredErrors.set(status, standardEntries[status])
  const errors = [...declaredErrors].sort(([a], [b]) => a - b)
  return Object.fromEntries([...success, ...errors.map(([status, value]) => [String(status), value] as const)])
}

const HTML = { 'text/html': { schema: { type: 'string', description: 'an HTML page for the browser' } } }

/** A response that is an HTML page (the browser pages of the magic-link flow), with its Retry-After when 503. */
export const htmlPage = (description: string, status?: number): Record<string, unknown> =>
  ({ description, ...(status === 503 ? { headers: RETRY_AFTER } : {}), content: HTML })

/**
 * A status a route answers with an HTML page to browsers, or in the ApiError shape (e.g. a 400 of
 * schema validation on the same route, a 503 of the JSON variant of the same operation).
 */
export const htmlPageOrError = (description: string, status?: number): Record<string, unknown> =>
  ({ description, ...(status === 503 ? { headers: RETRY_AFTER } : {}), content: { ...HTML, 'application/json': { schema: ErrorRef } } })
