import { Type } from '@sinclair/typebox'
import { AuthenticationFactorSchema } from './session.js'

/**
 * The custom claims a client may put on its own session. Only the server decides which claims
 * exist: this allow-list holds preferences that grant nothing, so no client can choose a claim that
 * widens its permissions (roles, permissions, reserved JWT names and https://stytch.com/ names are
 * all outside it and rejected). A `null` value removes the claim.
 */
export const ClientClaimsSchema = Type.Object({
  theme: Type.Optional(Type.Union([Type.Literal('light'), Type.Literal('dark'), Type.Null()])),
  locale: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$' }), Type.Null()])),
  ui_state: Type.Optional(Type.Union([
    Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), Type.String({ maxLength: 512 }), { maxProperties: 32 }),
    Type.Null()
  ], { description: 'free-form UI state (string values); counts toward the size cap' }))
}, { $id: 'ClientClaims', additionalProperties: false, minProperties: 1 })

/**
 * Serialized size cap for client-set claims. Stytch's own cap for all custom claims is 4 KB, but
 * the claims ride in the session JWT, base64url-encoded (×4/3), beside ~1.7 KB of Stytch's own
 * claims: at 1 KB the JWT cookie stays under browsers' 4 KB per cookie (test/auth/cookie-size.test.ts).
 */
export const CLIENT_CLAIMS_MAX_BYTES = 1024

export const UpdateSessionBodySchema = Type.Object({
  session_duration_minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 527040, description: 'extend: the session now expires this many minutes from now (still bounded by the absolute lifetime)' })),
  custom_claims: Type.Optional(Type.Ref(ClientClaimsSchema))
}, { additionalProperties: false, minProperties: 1 })

export const SessionListItemSchema = Type.Object({
  member_session_id: Type.String(),
  started_at: Type.String({ format: 'date-time' }),
  last_accessed_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  authentication_factors: Type.Array(Type.Ref(AuthenticationFactorSchema)),
  current: Type.Boolean({ description: 'the session this request is authenticated with' })
}, { $id: 'SessionListItem', additionalProperties: false })

export const SessionListSchema = Type.Object({
  sessions: Type.Array(Type.Ref(SessionListItemSchema))
}, { $id: 'SessionList', additionalProperties: false })

export const RevokeAllBodySchema = Type.Object({
  keep_current: Type.Boolean({ default: false, description: 'keep the session making this request' })
}, { additionalProperties: false })

export const RevokedCountSchema = Type.Object({
  revoked: Type.Integer({ minimum: 0, description: 'number of sessions revoked' })
}, { $id: 'RevokedCount', additionalProperties: false })

export const SessionIdParamsSchema = Type.Object({
  sessionId: Type.String({ pattern: '^[A-Za-z0-9._~-]{2,128}$' })
})
