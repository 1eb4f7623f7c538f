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

/** When the session's absolute lifetime ends (epoch ms). */
export const lifetimeEndMs = (context: SessionContext, config: Config): number => context.startedAtMs + config.SESSION_MAX_LIFETIME_MINUTES * 60_000

/**
 * The absolute lifetime bounds everything handed out: an expiry reported (and a cookie Max-Age
 * derived from it) is never later than it, however far Stytch's sliding expiry reaches.
 */
export function boundExpiry (context: SessionContext, config: Config): SessionContext {
  const end = lifetimeEndMs(context, config)
  if (!(Date.parse(context.session.expires_at) > end)) return context
  return { ...context, session: { ...context.session, expires_at: new Date(end).toISOString() } }
}

/** Stytch's smallest session duration (reference §4: 5..527040 minutes). */
const STYTCH_MIN_DURATION_MINUTES = 5

/** A requested extension, shortened so it does not reach past the absolute lifetime. */
export function boundDuration (minutes: number, context: SessionContext, config: Config, now = Date.now()): number {
  const left = Math.floor((lifetimeEndMs(context, config) - now) / 60_000)
  return Math.max(STYTCH_MIN_DURATION_MINUTES, Math.min(minutes, left))
}
