import type { FastifyInstance } from 'fastify'
import { stytchErrorType, toUpstreamError } from '../stytch/errors.js'

/**
 * Revokes a session at Stytch and puts it on the revocation list, so its JWT — which Stytch's own
 * design keeps valid until `exp` — stops working here at once. The entry lives as long as the
 * longest JWT this API would still accept for the session (max token age plus clock tolerance).
 */
export async function revokeSession (fastify: FastifyInstance, memberSessionId: string): Promise<void> {
  try {
    await fastify.stytch.client.sessions.revoke({ member_session_id: memberSessionId })
  } catch (err) {
    // Already gone at Stytch (expired or revoked elsewhere): the goal is reached.
    if (stytchErrorType(err) !== 'session_not_found') throw toUpstreamError(err)
  }
  const { JWT_MAX_AGE_SECONDS, JWT_CLOCK_TOLERANCE_SECONDS } = fastify.config
  fastify.stytch.revocations.revoke(memberSessionId, Date.now() + (JWT_MAX_AGE_SECONDS + JWT_CLOCK_TOLERANCE_SECONDS) * 1000)
}
