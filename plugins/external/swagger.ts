import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { API_DESCRIPTION, API_TAGS } from '../../src/openapi/document.js'
import { AUTHENTICATED, standardErrorStatuses, withStandardErrors } from '../../src/openapi/route-helpers.js'
import { describePermission, routePermissions } from '../../src/rbac/authorize.js'
import { requiresAuth } from '../app/auth.js'
import { hasAuthRateLimits } from '../app/auth-rate-limits.js'
import { declaredHeaders } from '../app/conditional-requests.js'
import { cookieNames } from '../../src/auth/cookies.js'
import { swaggerUiSecurityHeaders } from './helmet.js'

const NOT_MODIFIED = {
  type: 'null',
  description: 'Not Modified: If-None-Match names the current version; no body',
  headers: { etag: { type: 'string', description: 'the current version' } }
}

/**
 * The OpenAPI document is generated from the route schemas (`npm run openapi` writes it to
 * openapi.yaml) and served by Swagger UI at /docs. Untagged routes (the UI's own) are hidden.
 * With DOCS_ENABLED=false the document is still generated (`fastify.swagger()`, `npm run openapi`)
 * but nothing is served: /docs and everything under it is the API's 404.
 */
export default fp(async function openapi (fastify: FastifyInstance) {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'b2b-session-api', version: '0.1.0', description: API_DESCRIPTION },
      // Relative: the API is served from the origin the document (and Swagger UI) is loaded from.
      servers: [{ url: '/', description: 'This API (the origin serving this document)' }],
      tags: API_TAGS,
      components: {
        securitySchemes: {
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: cookieNames(fastify.config).jwt,
            description: 'Session JWT cookie set by authenticateMagicLink (HttpOnly; the browser sends it). The session-token cookie is sent beside it and used to refresh the JWT.'
          },
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT or session token',
            description: 'A session JWT (verified locally) or an opaque session token (checked with Stytch).'
          }
        }
      }
    },
    hideUntagged: true,
    // What a route declares in `config` becomes its OpenAPI contract here, once for every route:
    // security (authenticated or explicitly public), the standard error responses, and its
    // permission as `x-permission` plus a line of its description.
    transform: ({ schema, url, route }) => {
      if (schema === undefined || schema.hide === true) return { schema, url }
      const authenticated = requiresAuth(route.config)
      const permissions = routePermissions(route.config)
      const method = String(Array.isArray(route.method) ? route.method[0] : route.method).toUpperCase()
      const standard = standardErrorStatuses({
        method,
        authenticated,
        hasPermission: permissions.length > 0,
        rateLimited: (route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== undefined || hasAuthRateLimits(route),
        schema
      })
      const sensitive = route.config?.sensitive
      const maxAuthAge = typeof sensitive === 'object' ? sensitive.maxAuthAgeMinutes : undefined
      const lines = [
        ...(permissions.length === 0 ? [] : [`Requires ${permissions.map(describePermission).join(' and ')}.`]),
        ...(sensitive === undefined
          ? []
          : [`Sensitive: the session is confirmed with Stytch on every call (a JWT alone is not enough)${maxAuthAge === undefined ? '' : `, and its last authentication must be at most ${maxAuthAge} minutes old (else 401 \`reauthentication_required\`)`}.`])
      ]
      // A GET that declares If-None-Match is answered 304 when it matches (plugins/app/conditional-requests.ts).
      const own = schema.response as Record<string, unknown> | undefined
      const response = method === 'GET' && declaredHeaders(schema).has('if-none-match') ? { ...own, 304: NOT_MODIFIED } : own
      return {
        url,
        schema: {
          ...schema,
          security: authenticated ? AUTHENTICATED : [],
          response: withStandardErrors(response, standard),
          ...(lines.length === 0 ? {} : { description: [schema.description, lines.join(' ')].filter((l) => l !== undefined).join('\n\n') }),
          ...(permissions.length === 0 ? {} : { 'x-permission': permissions.map(({ resource, action, organization }) => ({ resource, action, organization })) }),
          ...(sensitive === undefined ? {} : { 'x-sensitive': { confirmed_by_stytch: true, ...(maxAuthAge === undefined ? {} : { max_auth_age_minutes: maxAuthAge }) } })
        } as typeof schema
      }
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) }
  })
  if (!fastify.config.DOCS_ENABLED) return
  // A scope of its own, so that helmet's full set (Swagger UI's CSP) applies to these routes only.
  await fastify.register(async function docs (scope) {
    await scope.register(swaggerUiSecurityHeaders)
    await scope.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { withCredentials: true, persistAuthorization: true, deepLinking: true }
    })
  })
}, { name: 'openapi', dependencies: ['security-headers'] })
