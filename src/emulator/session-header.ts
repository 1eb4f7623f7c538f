import { type FastifyRequest } from 'fastify'
import { StytchApiError } from './errors.js'
import { errors } from './inferred.js'
import { grantingRoles, policyRolesFor } from './policy.js'
import { liveSessionByJwt, liveSessionByToken, sessionMember } from './sessions-core.js'
import { type EmulatorState, type Organization, type StoredMember, type StoredSession } from './state.js'
import { sessionRoleIds } from './store.js'

/** The member a management call acts as, when it carries X-Stytch-Member-Session(JWT) (reference §8.5). */
export interface Actor {
  session: StoredSession
  member: StoredMember
  organization: Organization
  roles: string[]
}

function headerValue (request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * No header → undefined (Basic auth alone decides). Otherwise the session must be alive: an unknown,
 * revoked or expired one is 404 session_not_found, a JWT with a bad signature 401. With both headers,
 * both must name the same session.
 */
export async function resolveActor (state: EmulatorState, request: FastifyRequest): Promise<Actor | undefined> {
  const token = headerValue(request, 'x-stytch-member-session')
  const jwt = headerValue(request, 'x-stytch-member-sessionjwt')
  if (token === undefined && jwt === undefined) return undefined
  const byToken = token === undefined ? undefined : liveSessionByToken(state, token)
  const byJwt = jwt === undefined ? undefined : await liveSessionByJwt(state, jwt)
  if (byToken !== undefined && byJwt !== undefined && byToken !== byJwt) throw new StytchApiError(errors.sessionNotFound)
  const session = (byToken ?? byJwt) as StoredSession
  const { member, organization } = sessionMember(state, session)
  return { session, member, organization, roles: sessionRoleIds(state, member) }
}

/** A session may only act inside its own organization. */
export function requireSameOrganization (actor: Actor, organizationId: string): void {
  if (actor.organization.organization_id !== organizationId) throw new StytchApiError(errors.authorizationTenancy)
}

export function actorMay (state: EmulatorState, actor: Actor, resourceId: string, action: string): boolean {
  return grantingRoles(policyRolesFor(state.policy, actor.organization), actor.roles, resourceId, action).length > 0
}

export function requireAction (state: EmulatorState, actor: Actor, resourceId: string, action: string): void {
  if (!actorMay(state, actor, resourceId, action)) throw new StytchApiError(errors.authorizationDenied)
}

/**
 * `action` on stytch.member, or — when `selfAllowed` and the target is the acting member — the same action
 * on stytch.self.
 */
export function requireMemberAction (
  state: EmulatorState, actor: Actor, action: string, targetMemberId: string, selfAllowed: boolean
): void {
  if (actorMay(state, actor, 'stytch.member', action)) return
  if (selfAllowed && actor.member.member_id === targetMemberId && actorMay(state, actor, 'stytch.self', action)) return
  throw new StytchApiError(errors.authorizationDenied)
}

/**
 * Creating a member (members.create or an invite): Basic auth alone, or — with a session header —
 * a member of the same organization with `create` on stytch.member, and never trusted metadata.
 */
export async function authorizeMemberCreation (state: EmulatorState, request: FastifyRequest, organizationId: string, trustedMetadata: unknown): Promise<void> {
  const actor = await resolveActor(state, request)
  if (actor === undefined) return
  requireSameOrganization(actor, organizationId)
  if (trustedMetadata !== undefined) throw new StytchApiError(errors.cannotUpdateTrustedMetadata)
  requireMemberAction(state, actor, 'create', '', false)
}
