import { Type, type Static } from '@sinclair/typebox'
import { NullableString } from './common.js'
import { MemberIdSchema } from './primitives.js'

/**
 * Every kind of security event the audit trail records. `organization_updated` and
 * `organization_switched` are written by the organization and switching routes.
 */
export const AUDIT_EVENT_TYPES = [
  'login',
  'logout',
  'session_revoked',
  'member_sessions_revoked',
  'role_changed',
  'member_invited',
  'member_removed',
  'organization_updated',
  'organization_switched'
] as const

export type AuditEventType = typeof AUDIT_EVENT_TYPES[number]

const TYPE_DESCRIPTION = 'What happened: `login`, `logout`, `session_revoked` (one session), `member_sessions_revoked` (all of a member\'s), `role_changed`, `member_invited`, `member_removed`, `organization_updated`, `organization_switched`'

/** A plain string enum (not `anyOf` of constants): simplest for the serializer and for query parameters. */
const auditEventType = (options: Record<string, unknown> = {}) =>
  Type.Unsafe<AuditEventType>({ type: 'string', enum: [...AUDIT_EVENT_TYPES], ...options })

export const AuditEventTypeSchema = auditEventType({ $id: 'AuditEventType', description: TYPE_DESCRIPTION })

export const AuditEventSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  organization_id: Type.String(),
  type: Type.Ref(AuditEventTypeSchema),
  actor_member_id: NullableString({ description: 'the member who acted; null when nobody did (the API itself)' }),
  target_member_id: NullableString({ description: 'the member acted upon (the actor themself for their own sessions)' }),
  target_session_id: NullableString({ description: 'the session acted upon (logged in, logged out, revoked)' }),
  ip: NullableString({ description: 'client address of the request (behind TRUST_PROXY: the forwarded one)' }),
  user_agent: NullableString(),
  request_id: NullableString({ description: 'the request\'s id (`requestId` of error bodies, request logs)' }),
  details: Type.Record(Type.String(), Type.Unknown(), { description: 'event-specific facts, never a secret: e.g. `old_roles`/`new_roles` of role_changed, `count` of member_sessions_revoked' }),
  created_at: Type.String({ format: 'date-time' })
}, {
  $id: 'AuditEvent',
  additionalProperties: false,
  examples: [{
    id: '0c9a2b5e-4f7d-4c61-9d7e-6a1f2b3c4d5e',
    organization_id: 'organization-test-8a3f6d0e-3b7c-4a0e-8d5e-2f1c9b7a6e55',
    type: 'role_changed',
    actor_member_id: 'member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01',
    target_member_id: 'member-test-7b1e9f3a-0c2d-4e5f-8a9b-1c2d3e4f5a6b',
    target_session_id: null,
    ip: '203.0.113.7',
    user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    request_id: 'req-1',
    details: { old_roles: ['stytch_member', 'editor'], new_roles: ['stytch_member', 'viewer'], sessions_revoked: 1 },
    created_at: '2026-01-10T09:30:00.123Z'
  }]
})

export const AuditEventPageSchema = Type.Object({
  events: Type.Array(Type.Ref(AuditEventSchema)),
  next_cursor: NullableString({ description: 'pass as `cursor` for the next (older) page; null on the last page' })
}, { $id: 'AuditEventPage', additionalProperties: false })

export const ListAuditEventsQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'page size (default 50)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  type: Type.Optional(Type.Array(auditEventType(), { minItems: 1, maxItems: AUDIT_EVENT_TYPES.length, uniqueItems: true, description: 'only these types (repeat the parameter for several)' })),
  actor: Type.Optional(MemberIdSchema),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'only events at or after this time' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'only events before this time' }))
}, { additionalProperties: false })

export type AuditEvent = Static<typeof AuditEventSchema>
export type AuditEventPage = Static<typeof AuditEventPageSchema>
export type ListAuditEventsQuery = Static<typeof ListAuditEventsQuerySchema>
