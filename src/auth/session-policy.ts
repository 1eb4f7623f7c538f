import type { Config } from '../config.js'
import { SessionExpiredError, SessionRevokedError } from '../errors.js'
import type { SessionContext } from './session-context.js'

/**
 * What a session must also satisfy, however it was proven (local JWT or Stytch): not revoked
 * through this API, and younger than the absolute lifetime. The absolute lifetime counts from the
 * session's start, so activity (sliding expiry) cannot keep a session alive beyond it.
 */
export function assertSessionUsable (context: SessionContext, revocations: { isRevoked (id: string): boolean }, config: Config, now = Date.now()): void {
  if (revocations.isRevoked(context.session.member_session_id)) throw new SessionRevokedError()
  const startedAt = context.startedAtMs
  if (Number.isNaN(startedAt) || startedAt + config.SESSION_MAX_LIFETIME_MINUTES * 60_000 <= now) throw new SessionExpiredError()
}
