import { Type, type Static } from '@sinclair/typebox'
import { NullableString } from './common.js'

export const AuthenticationFactorSchema = Type.Object({
  type: Type.String({ examples: ['magic_link'] }),
  delivery_method: Type.String({ examples: ['email'] }),
  last_authenticated_at: Type.String(),
  email_address: Type.Optional(Type.String())
}, { $id: 'AuthenticationFactor', additionalProperties: false })

export const SessionSchema = Type.Object({
  member_session_id: Type.String({ examples: ['session-test-0b0f1c7e-6f7c-4a57-9a57-5c1f3f0b2a11'] }),
  started_at: Type.String({ format: 'date-time' }),
  last_accessed_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  roles: Type.Array(Type.String(), { examples: [['stytch_member', 'editor']] }),
  authentication_factors: Type.Array(Type.Ref(AuthenticationFactorSchema)),
  custom_claims: Type.Record(Type.String(), Type.Unknown())
}, { $id: 'Session', additionalProperties: false, description: 'The member session, as proven by the session JWT or by Stytch.' })

export const MemberSchema = Type.Object({
  member_id: Type.String({ examples: ['member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01'] }),
  organization_id: Type.String(),
  email_address: NullableString({ examples: ['admin@acme.test'] }),
  roles: Type.Array(Type.String())
}, { $id: 'Member', additionalProperties: false, description: 'The authenticated member.' })

export const OrganizationSchema = Type.Object({
  organization_id: Type.String({ examples: ['organization-test-8a3f6d0e-3b7c-4a0e-8d5e-2f1c9b7a6e55'] }),
  organization_slug: Type.String({ examples: ['acme'] })
}, { $id: 'Organization', additionalProperties: false })

export const SessionViewSchema = Type.Object({
  member: Type.Ref(MemberSchema),
  organization: Type.Ref(OrganizationSchema),
  session: Type.Ref(SessionSchema)
}, {
  $id: 'SessionView',
  additionalProperties: false,
  description: 'Who is logged in, in which organization, with which session.',
  examples: [{
    member: { member_id: 'member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01', organization_id: 'organization-test-8a3f6d0e-3b7c-4a0e-8d5e-2f1c9b7a6e55', email_address: 'editor@acme.test', roles: ['stytch_member', 'editor'] },
    organization: { organization_id: 'organization-test-8a3f6d0e-3b7c-4a0e-8d5e-2f1c9b7a6e55', organization_slug: 'acme' },
    session: {
      member_session_id: 'session-test-0b0f1c7e-6f7c-4a57-9a57-5c1f3f0b2a11',
      started_at: '2026-01-10T09:00:00Z',
      last_accessed_at: '2026-01-10T09:03:12Z',
      expires_at: '2026-01-17T09:03:12Z',
      roles: ['stytch_member', 'editor'],
      authentication_factors: [{ type: 'magic_link', delivery_method: 'email', last_authenticated_at: '2026-01-10T09:00:00Z', email_address: 'editor@acme.test' }],
      custom_claims: { theme: 'dark' }
    }
  }]
})

// My sessions: list, extend, custom claims, revoke.

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
    // additionalProperties: false — a Record with a key pattern is only `patternProperties`, which lets a
    // key outside the pattern through with any value at all (found by the fuzz: a 20,000-deep array under
    // `_x` reached the size check's JSON.stringify and overflowed the stack, a 500).
    Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), Type.String({ maxLength: 512 }), { maxProperties: 32, additionalProperties: false }),
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
}, { additionalProperties: false, minProperties: 1, examples: [{ custom_claims: { theme: 'dark', locale: 'en-GB' } }, { session_duration_minutes: 60 }] })

export const SessionDeviceSchema = Type.Object({
  ip: Type.Optional(Type.String({ description: 'client address it was last seen from (behind TRUST_PROXY: the forwarded one)', examples: ['203.0.113.7'] })),
  user_agent: Type.Optional(Type.String({ description: 'its User-Agent header (first 512 characters)' })),
  browser: Type.Optional(Type.String({ description: 'browser parsed from the user agent', examples: ['Chrome 124.0.0.0'] })),
  os: Type.Optional(Type.String({ description: 'operating system parsed from the user agent', examples: ['macOS 10.15.7'] })),
  first_seen: Type.String({ format: 'date-time', description: 'when the session was minted here (login)' }),
  last_seen: Type.String({ format: 'date-time', description: 'its last login, refresh or Stytch-confirmed request (requests proven by the JWT alone do not count)' })
}, { $id: 'SessionDevice', additionalProperties: false, description: 'The device a session was seen from; kept by this API, since Stytch\'s session has none of it.' })

export const SessionListItemSchema = Type.Object({
  member_session_id: Type.String(),
  started_at: Type.String({ format: 'date-time' }),
  last_accessed_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  authentication_factors: Type.Array(Type.Ref(AuthenticationFactorSchema)),
  current: Type.Boolean({ description: 'the session this request is authenticated with' }),
  device: Type.Optional(Type.Ref(SessionDeviceSchema, { description: 'absent when unknown (e.g. a session minted before devices were recorded, or elsewhere)' }))
}, { $id: 'SessionListItem', additionalProperties: false })

export const SessionListSchema = Type.Object({
  sessions: Type.Array(Type.Ref(SessionListItemSchema))
}, { $id: 'SessionList', additionalProperties: false })

export const RevokeAllBodySchema = Type.Object({
  keep_current: Type.Boolean({ default: false, description: 'keep the session making this request' })
}, { additionalProperties: false, examples: [{ keep_current: true }] })

export const RevokedCountSchema = Type.Object({
  revoked: Type.Integer({ minimum: 0, description: 'number of sessions revoked' })
}, { $id: 'RevokedCount', additionalProperties: false })

// Types of the session as responses show it (src/auth/session-context.ts builds these shapes).
export type AuthenticationFactorView = Static<typeof AuthenticationFactorSchema>
export type AuthenticatedMember = Static<typeof MemberSchema>
export type AuthenticatedOrganization = Static<typeof OrganizationSchema>
export type AuthenticatedSession = Static<typeof SessionSchema>
export type SessionView = Static<typeof SessionViewSchema>
export type ClientClaims = Static<typeof ClientClaimsSchema>
export type SessionListItem = Static<typeof SessionListItemSchema>
