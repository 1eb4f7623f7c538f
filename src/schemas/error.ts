import { Type, type Static } from '@sinclair/typebox'
import { MAX_PATH_PARAM_LENGTH } from './primitives.js'

/** The one error shape of the API (DESIGN §6): Fastify's fields plus a machine code and the request id. */
export const ApiErrorSchema = Type.Object({
  statusCode: Type.Integer({ minimum: 400, maximum: 599, examples: [401] }),
  code: Type.String({
    description: [
      'machine-readable reason, e.g. permission_denied, validation_failed (the message names the failing field as part and JSON pointer, e.g. body/title).',
      'A 401 says why: missing_credentials (none sent), invalid_credentials (malformed, forged or not this project\'s), session_expired (the JWT or the session has expired),',
      'session_revoked (the session was revoked: logout, a revoke, a role change, or ended at Stytch while its JWT was still valid),',
      'session_not_found (Stytch has no live session for this session token: never issued, expired or ended), ambiguous_credentials, reauthentication_required.',
      'The server\'s own answers, before any route runs, have this shape too: 400 `bad_url` (malformed percent-encoding in the path),',
      '400 `bad_request` (a malformed HTTP request), 404 `route_not_found` (no route at this path),',
      '405 `method_not_allowed` (a route exists at this path, for other methods: they are listed in the `Allow` header), 408 `request_timeout`, 413 `payload_too_large`,',
      '414 `uri_too_long` (a path parameter longer than ' + String(MAX_PATH_PARAM_LENGTH) + ' characters), 415 `unsupported_media_type`,',
      '431 `headers_too_large`.'
    ].join(' '),
    examples: ['session_expired']
  }),
  error: Type.String({ description: 'HTTP reason phrase', examples: ['Unauthorized'] }),
  message: Type.String({ description: 'human-readable explanation; never contains credentials, nor the request URL', examples: ['The session has expired; log in again'] }),
  requestId: Type.String({ description: 'correlates with the server logs', examples: ['req-1'] })
}, { $id: 'ApiError', additionalProperties: false, description: 'Every error response has this shape.' })

export type ApiError = Static<typeof ApiErrorSchema>

/** The responses every route may produce besides its own; added to each route's schema. */
export const ErrorRef = Type.Ref(ApiErrorSchema)
