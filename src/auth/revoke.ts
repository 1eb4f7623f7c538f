import type { FastifyInstance } from 'fastify'
import type { B2BClient } from 'stytch'
import { stytchErrorType, toUpstreamError, fromStytchManagementError } from '../stytch/errors.js'

type Authorization = { session_token?: string, session_jwt?: string }

/**
 * Puts sessions on the revocation list, so their JWTs — which Stytch's own design keeps valid
 * until `exp` — stop working here, on every instance, at once. An entry lives as long as the
 * longest JWT this API would still accept for the session (max token age plus clock tolerance).
 */
export async function markRevoked (fastify: FastifyInstance, sessionIds: string[]): Promise<void> {
  const { JWT_MAX_AGE_SECONDS, JWT_CLOCK_TOLERANCE_SECONDS } = fastify.config
  const until = Date.now() + (JWT_MAX_AGE_SECONDS + JWT_CLOCK_TOLERANCE_SECONDS) * 1000
  await Promise.all(sessionIds.map(async (id) => { await fastify.revocations.revoke(id, until) }))
}

/** Revokes one session at Stytch and here. */
export async function revokeSession (fastify: FastifyInstance, memberSessionId: string): Promise<void> {
  try {
    await fastify.stytch.client.sessions.revoke({ member_session_id: memberSessionId })
  } catch (err) {
    // Already gone at Stytch (expired or revoked elsewhere): the goal is reached.
    if (stytchErrorType(err) !== 'session_not_found') throw toUpstreamError(err)
  }
  await markRevoked(fastify, [memberSessionId])
}

/** The ids of a member's active sessions at Stytch ([] when the member is unknown). */
export async function activeSessionIds (client: B2BClient, organizationId: string, memberId: string): Promise<string[]> {
  try {
    const { member_sessions: sessions } = await client.sessions.get({ organization_id: organizationId, member_id: memberId })
    return sessions.map((s) => s.member_session_id)
  } catch (err) {
    if (stytchErrorType(err) === 'member_not_found') return []
    throw toUpstreamError(err)
  }
}

/**
 * Revokes every session of a member at Stytch and here. With `authorization`, Stytch checks that
 * the acting member may (`revoke-sessions` on `stytch.member`); without it the API acts itself
 * (e.g. as a consequence of a role downgrade it already authorized).
 */
export async function revokeMemberSessions (fastify: FastifyInstance, organizationId: string, memberId: string, authorization?: Authorization): Promise<number> {
  const { client } = fastify.stytch
  const ids = await activeSessionIds(client, organizationId, memberId)
  try {
    await client.sessions.revoke({ member_id: memberId }, authorization === undefined ? undefined : { authorization })
  } catch (err) {
    throw fromStytchManagementError(err, 'revoke-sessions', 'stytch.member')
  }
  await markRevoked(fastify, ids)
  return ids.length
}
