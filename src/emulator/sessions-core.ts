import { StytchApiError } from './errors.js'
import { newId, newToken, requestId, rfc3339 } from './ids.js'
import { errors } from './inferred.js'
import { mintSessionJwt, verifySessionJwt } from './jwt.js'
import {
  nowMs, type AuthenticationFactor, type EmulatorState, type Organization, type StoredMember, type StoredSession
} from './state.js'
import { publicMember, publicOrganization, sessionRoleIds } from './store.js'

/** A session that can still be used: not revoked, not expired, its member and org still there. */
function isAlive (state: EmulatorState, session: StoredSession): boolean {
  if (session.revoked || session.expires_at_ms <= nowMs(state)) return false
  const member = state.members.get(session.member_id)
  return member !== undefined && member.status !== 'deleted' && state.organizations.has(session.organization_id)
}

export function liveSessionById (state: EmulatorState, memberSessionId: string): StoredSession {
  const session = state.sessions.get(memberSessionId)
  if (session === undefined || !isAlive(state, session)) throw new StytchApiError(errors.sessionNotFound)
  return session
}

export function liveSessionByToken (state: EmulatorState, token: string): StoredSession {
  const id = state.sessionsByToken.get(token)
  if (id === undefined) throw new StytchApiError(errors.sessionNotFound)
  return liveSessionById(state, id)
}

/** Signature checked first (bad JWT → 401); then the session it names must be alive (else 404). */
export async function liveSessionByJwt (state: EmulatorState, jwt: string): Promise<StoredSession> {
  const { sessionId, memberId } = await verifySessionJwt(state, jwt)
  const session = liveSessionById(state, sessionId)
  if (session.member_id !== memberId) throw new StytchApiError(errors.sessionNotFound)
  return session
}

export interface SessionSelector { session_token?: string | undefined, session_jwt?: string | undefined }

/** Exactly one of session_token / session_jwt, else 400 no_session_arguments / too_many_session_arguments. */
export function checkOneSessionArgument (selector: SessionSelector): void {
  const given = [selector.session_token, selector.session_jwt].filter((value) => value !== undefined).length
  if (given === 0) throw new StytchApiError(errors.noSessionArguments)
  if (given > 1) throw new StytchApiError(errors.tooManySessionArguments)
}

export async function locateSession (state: EmulatorState, selector: SessionSelector): Promise<StoredSession> {
  checkOneSessionArgument(selector)
  if (selector.session_token !== undefined) return liveSessionByToken(state, selector.session_token)
  return await liveSessionByJwt(state, selector.session_jwt ?? '')
}

export function sessionMember (state: EmulatorState, session: StoredSession): { member: StoredMember, organization: Organization } {
  const member = state.members.get(session.member_id)
  const organization = state.organizations.get(session.organization_id)
  if (member === undefined || organization === undefined) throw new StytchApiError(errors.sessionNotFound)
  return { member, organization }
}

export function magicLinkFactor (state: EmulatorState, member: StoredMember): AuthenticationFactor {
  const now = rfc3339(nowMs(state))
  return {
    type: 'magic_link',
    delivery_method: 'email',
    last_authenticated_at: now,
    created_at: now,
    updated_at: now,
    email_factor: { email_id: member.email_id, email_address: member.email_address }
  }
}

export function createSession (
  state: EmulatorState, member: StoredMember, factors: AuthenticationFactor[], durationMinutes: number,
  customClaims: Record<string, unknown>
): StoredSession {
  const now = nowMs(state)
  const session: StoredSession = {
    member_session_id: newId('session'),
    member_id: member.member_id,
    organization_id: member.organization_id,
    session_token: newToken(),
    started_at_ms: now,
    last_accessed_at_ms: now,
    expires_at_ms: now + durationMinutes * 60_000,
    authentication_factors: factors,
    custom_claims: customClaims,
    revoked: false
  }
  state.sessions.set(session.member_session_id, session)
  state.sessionsByToken.set(session.session_token, session.member_session_id)
  return session
}

/** The public MemberSession (reference §4.3), with roles recomputed from the member's current roles. */
export function memberSessionView (state: EmulatorState, session: StoredSession): Record<string, unknown> {
  const { member, organization } = sessionMember(state, session)
  return {
    member_session_id: session.member_session_id,
    member_id: session.member_id,
    organization_id: session.organization_id,
    organization_slug: organization.organization_slug,
    started_at: rfc3339(session.started_at_ms),
    last_accessed_at: rfc3339(session.last_accessed_at_ms),
    expires_at: rfc3339(session.expires_at_ms),
    authentication_factors: structuredClone(session.authentication_factors),
    roles: sessionRoleIds(state, member),
    custom_claims: structuredClone(session.custom_claims)
  }
}

/**
 * The "full auth response" of reference §4.4, with a freshly minted JWT: exactly the fields of the SDK's
 * B2BSessionsAuthenticateResponse, which has no top-level `member_id` ([SDK] types). Magic-link
 * authenticate and sessions.exchange add it (their response types have it).
 */
export async function authResponse (state: EmulatorState, session: StoredSession): Promise<Record<string, unknown>> {
  const { member, organization } = sessionMember(state, session)
  const sessionJwt = await mintSessionJwt(state, session, organization, sessionRoleIds(state, member))
  return {
    request_id: requestId(),
    status_code: 200,
    member_session: memberSessionView(state, session),
    session_token: session.session_token,
    session_jwt: sessionJwt,
    member: publicMember(state, member),
    organization: publicOrganization(organization)
  }
}
