import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createAuditRepository, type AuditEvent, type AuditEventPage, type AuditEventType, type AuditFilter } from '../../src/db/audit.js'
import { DatabaseUnavailableError } from '../../src/db/errors.js'
import { MAX_USER_AGENT_LENGTH } from '../../src/devices/user-agent.js'

/**
 * What a caller says about an event. The request supplies the rest: organization and actor (the
 * authenticated member, unless given — e.g. a login, whose request has no session yet), IP, user
 * agent and request id.
 */
export interface AuditEventInput {
  type: AuditEventType
  /** Default: the request's organization. */
  organization_id?: string
  /** Default: the request's member; `null` when the API acted by itself. */
  actor_member_id?: string | null
  target_member_id?: string | null
  target_session_id?: string | null
  /** Event-specific facts. Never a secret: credential-like keys and values are dropped anyway. */
  details?: Record<string, unknown>
}

/**
 * The audit service (`fastify.audit`). `record` is awaited by the request that did the thing,
 * before it answers: when the request succeeds, its event is stored. When the write fails, the
 * request fails too (503 `database_unavailable`, Retry-After) although the action itself is done —
 * an unrecorded success is the worse outcome for an audit trail (see NOTES-audit.md).
 */
function createAuditService (fastify: FastifyInstance) {
  const repository = createAuditRepository(fastify.db)

  return {
    /**
     * Records one event of this request, e.g.
     * `await fastify.audit.record(request, { type: 'organization_updated', details: { changed: ['name'] } })`.
     */
    async record (request: FastifyRequest, event: AuditEventInput): Promise<AuditEvent> {
      const context = request.sessionContext
      const organizationId = event.organization_id ?? context?.organization.organization_id
      if (organizationId === undefined) throw new Error(`audit event ${event.type}: no organization (pass organization_id on unauthenticated routes)`)
      const userAgent = request.headers['user-agent']
      try {
        return await repository.insert({
          organization_id: organizationId,
          type: event.type,
          actor_member_id: event.actor_member_id === undefined ? (context?.member.member_id ?? null) : event.actor_member_id,
          target_member_id: event.target_member_id ?? null,
          target_session_id: event.target_session_id ?? null,
          ip: request.ip,
          user_agent: userAgent === undefined || userAgent === '' ? null : userAgent.slice(0, MAX_USER_AGENT_LENGTH),
          request_id: request.id,
          details: event.details ?? {}
        })
      } catch (err) {
        // Whatever went wrong, the answer is the one for "retry shortly": the request did not fully succeed.
        throw err instanceof DatabaseUnavailableError ? err : new DatabaseUnavailableError(err)
      }
    },

    /** A page of the organization's events, newest first (listAuditEvents). */
    async list (organizationId: string, filter: AuditFilter): Promise<AuditEventPage> {
      return await repository.list(organizationId, filter)
    }
  }
}

export type AuditService = ReturnType<typeof createAuditService>

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditService
  }
}

export default fp(async function audit (fastify: FastifyInstance) {
  fastify.decorate('audit', createAuditService(fastify))
}, { name: 'audit', dependencies: ['db', 'auth'] })
