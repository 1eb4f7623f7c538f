import { Type, type Static } from '@sinclair/typebox'

/** The one error shape of the API (DESIGN §6): Fastify's fields plus a machine code and the request id. */
export const ApiErrorSchema = Type.Object({
  statusCode: Type.Integer({ minimum: 400, maximum: 599, examples: [401] }),
  code: Type.String({ description: 'machine-readable reason, e.g. missing_credentials, session_expired, permission_denied, validation_failed', examples: ['session_expired'] }),
  error: Type.String({ description: 'HTTP reason phrase', examples: ['Unauthorized'] }),
  message: Type.String({ description: 'human-readable explanation; never contains credentials', examples: ['The session has expired; log in again'] }),
  requestId: Type.String({ description: 'correlates with the server logs', examples: ['req-1'] })
}, { $id: 'ApiError', additionalProperties: false, description: 'Every error response has this shape.' })

export type ApiError = Static<typeof ApiErrorSchema>

/** The responses every route may produce besides its own; added to each route's schema. */
export const ErrorRef = Type.Ref(ApiErrorSchema)
