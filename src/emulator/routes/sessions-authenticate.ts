import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { defaults, discovery, errors } from '../inferred.js'
import { factorsFor, requirementFields, requirementOf } from '../discovery.js'
import { exchangeNeedsMore } from './discovery.js'
import { grantingRoles, policyRolesFor } from '../policy.js'
import { AuthorizationCheck, JsonObject } from '../schemas.js'
import {
  authResponse, checkOneSessionArgument, createSession, locateSession, sessionMember
} from '../sessions-core.js'
import { nowMs, type EmulatorState, type Organization } from '../state.js'
import { memberByEmail, requireOrganization, sessionRoleIds, touch } from '../store.js'
import { checkCustomClaimNames, checkSessionDuration, mergeCustomClaims } from '../validate.js'

const SessionArguments = {
  session_token: Type.Optional(Type.String()),
  session_jwt: Type.Optional(Type.String()),
  session_duration_minutes: Type.Optional(Type.Number()),
  session_custom_claims: Type.Optional(JsonObject)
}
const AuthenticateBody = Type.Object({ ...SessionArguments, authorization_check: Type.Optional(AuthorizationCheck) })
const ExchangeBody = Type.Object({ organization_id: Type.String(), ...SessionArguments, locale: Type.Optional(Type.String()) })

interface Check { organization_id: string, resource_id: string, action: string }

/**
 * Server-side authorization check, in the SDK's order (reference §6.2): tenancy first, then
 * roles ∩ permissions with "*" (the same rule as policy.grantingRoles / the SDK's local check).
 */
function authorize (state: EmulatorState, organization: Organization, roles: string[], check: Check): string[] {
  if (check.organization_id !== organization.organization_id) throw new StytchApiError(errors.authorizationTenancy)
  const granting = grantingRoles(policyRolesFor(state.policy, organization), roles, check.resource_id, check.action)
  if (granting.length === 0) throw new StytchApiError(errors.authorizationDenied)
  return granting
}

/** sessions.authenticate (§6.2) and sessions.exchange (§6.5). */
export const sessionAuthenticateRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.post('/v1/b2b/sessions/authenticate', { schema: { body: AuthenticateBody } }, async (request) => {
    const body = request.body
    checkOneSessionArgument(body)
    checkSessionDuration(body.session_duration_minutes)
    checkCustomClaimNames(body.session_custom_claims)
    const session = await locateSession(state, body)
    const { member, organization } = sessionMember(state, session)
    const check = body.authorization_check
    // A failed check leaves the session untouched (no extension, no claims update).
    const granting = check === undefined ? undefined : authorize(state, organization, sessionRoleIds(state, member), check)
    const claims = mergeCustomClaims(session.custom_claims, body.session_custom_claims)

    const now = nowMs(state)
    session.custom_claims = claims
    session.last_accessed_at_ms = now
    // Without a duration the session is not extended; with one it slides to now + duration ([SDK doc comment]).
    if (body.session_duration_minutes !== undefined) session.expires_at_ms = now + body.session_duration_minutes * 60_000
    const response = await authResponse(state, session)
    return granting === undefined ? response : { ...response, verdict: { authorized: true, granting_roles: granting } }
  })

  app.post('/v1/b2b/sessions/exchange', { schema: { body: ExchangeBody } }, async (request) => {
    const body = request.body
    checkOneSessionArgument(body)
    checkSessionDuration(body.session_duration_minutes)
    checkCustomClaimNames(body.session_custom_claims)
    const target = requireOrganization(state, body.organization_id)
    const source = await locateSession(state, body)
    const { member: sourceMember } = sessionMember(state, source)
    // Same email's member in the target org; it must exist already (invited/pending accepted, no JIT).
    const member = memberByEmail(state, target.organization_id, sourceMember.email_address)
    if (member === undefined) throw new StytchApiError(errors.exchangeMemberNotFound)
    const claims = mergeCustomClaims({}, body.session_custom_claims)

    // The source session's factors carry over; the target org's auth rules decide whether they suffice.
    const factors = factorsFor(source.authentication_factors, member)
    const requirement = requirementOf(target, member, factors)
    if (requirement.kind !== 'none') return exchangeNeedsMore(state, member, target, factors, requirementFields(requirement))
    if (member.status !== 'active' || !member.email_address_verified) {
      member.status = 'active'
      member.email_address_verified = true
      touch(state, member)
    }
    const session = createSession(state, member, factors, body.session_duration_minutes ?? defaults.sessionDurationMinutes, claims)
    if (discovery.exchangeEndsSourceSession) source.revoked = true
    // B2BSessionsExchangeResponse: member_id at top level; mfa_required / primary_required absent ([SDK] `?:`).
    return {
      ...await authResponse(state, session),
      member_id: member.member_id,
      member_authenticated: true,
      intermediate_session_token: ''
    }
  })
}
