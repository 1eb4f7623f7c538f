import type { AuditEvent, AuditEventPage, AuditEventType } from '../schemas/audit.js'
import { decodeCursor, encodeCursor, EXACT_CREATED_AT_SQL } from './cursor.js'
import type { Queryable } from './database.js'

export type { AuditEvent, AuditEventPage, AuditEventType } from '../schemas/audit.js'

/** An event as the service hands it over: everything but the id and time, which the database gives. */
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'created_at'>

export interface AuditFilter {
  limit: number
  cursor?: string
  types?: readonly AuditEventType[]
  actor?: string
  since?: string
  until?: string
}

type AuditRow = Omit<AuditEvent, 'created_at'> & { created_at: Date }

const COLUMNS = 'id, organization_id, type, actor_member_id, target_member_id, target_session_id, ip, user_agent, request_id, details, created_at'

const toEvent = (row: AuditRow): AuditEvent => ({ ...row, created_at: row.created_at.toISOString() })

/**
 * Names whose values are credentials, and strings shaped like one (a compact JWS, a Stytch token
 * or verifier: 40+ URL-safe characters in one run): neither is ever stored, whatever a caller puts
 * in `details`. Ids (`member-test-<uuid>`) have dashes every few characters and pass.
 */
const SECRET_NAME = /token|jwt|secret|password|cookie|verifier|authorization|credential|otp/i
const SECRET_SHAPE = /[A-Za-z0-9_]{40,}|^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
/** Longest string kept in details; nesting deeper than this is dropped. */
const MAX_DETAIL_STRING = 512
const MAX_DETAIL_DEPTH = 4

/** `details` with every credential-like key or value removed (see above). */
export function scrubDetails (details: Record<string, unknown>): Record<string, unknown> {
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return SECRET_SHAPE.test(value) ? '[redacted]' : value.slice(0, MAX_DETAIL_STRING)
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value
    if (depth >= MAX_DETAIL_DEPTH) return undefined
    if (Array.isArray(value)) return value.slice(0, 100).map((item) => scrub(item, depth + 1)).filter((item) => item !== undefined)
    if (typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (SECRET_NAME.test(key)) continue
        const kept = scrub(item, depth + 1)
        if (kept !== undefined) out[key] = kept
      }
      return out
    }
    return undefined
  }
  return scrub(details, 0) as Record<string, unknown>
}

/**
 * The audit trail (table audit_events): security events per organization, newest first. Every
 * statement filters on organization_id; the keyset is (created_at, id) descending.
 */
export function createAuditRepository (db: Queryable) {
  return {
    async insert (event: NewAuditEvent): Promise<AuditEvent> {
      const { rows: [row] } = await db.query<AuditRow>(
        `insert into audit_events (organization_id, type, actor_member_id, target_member_id, target_session_id, ip, user_agent, request_id, details)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) returning ${COLUMNS}`,
        [event.organization_id, event.type, event.actor_member_id, event.target_member_id, event.target_session_id,
          event.ip, event.user_agent, event.request_id, JSON.stringify(scrubDetails(event.details))]
      )
      if (row === undefined) throw new Error('insert into audit_events returned no row')
      return toEvent(row)
    },

    /** One page, newest first; the filters combine (AND); `since` inclusive, `until` exclusive. */
    async list (organizationId: string, filter: AuditFilter): Promise<AuditEventPage> {
      const { limit } = filter
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`)
      const params: unknown[] = [organizationId, limit + 1]
      const where = ['organization_id = $1']
      const add = (clause: (n: string) => string, ...values: unknown[]): void => {
        const first = params.length + 1
        params.push(...values)
        where.push(clause(`$${first}`))
      }
      if (filter.cursor !== undefined) {
        const after = decodeCursor(filter.cursor)
        add((n) => `(created_at, id) < (${n}::timestamptz, $${params.length}::uuid)`, after.createdAt, after.id)
      }
      if (filter.types !== undefined && filter.types.length > 0) add((n) => `type = any(${n}::text[])`, [...filter.types])
      if (filter.actor !== undefined) add((n) => `actor_member_id = ${n}`, filter.actor)
      if (filter.since !== undefined) add((n) => `created_at >= ${n}::timestamptz`, filter.since)
      if (filter.until !== undefined) add((n) => `created_at < ${n}::timestamptz`, filter.until)
      const { rows } = await db.query<AuditRow & { exact_created_at: string }>(
        `select ${COLUMNS}, ${EXACT_CREATED_AT_SQL} as exact_created_at from audit_events
         where ${where.join(' and ')}
         order by created_at desc, id desc limit $2`,
        params
      )
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      const nextCursor = rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.exact_created_at, id: last.id }) : null
      return { events: page.map(({ exact_created_at: _, ...row }) => toEvent(row)), next_cursor: nextCursor }
    }
  }
}

export type AuditRepository = ReturnType<typeof createAuditRepository>
