import { StytchApiError } from './errors.js'
import { newToken, rfc3339, sha256Hex } from './ids.js'
import { discovery, errors } from './inferred.js'
import {
  nowMs, type AuthenticationFactor, type EmulatorState, type Organization, type StoredIntermediateSession, type StoredMember
} from './state.js'
import { memberByEmail, organizationMembers, publicMember, publicOrganization } from './store.js'
import { emailDomain } from './validate.js'

/** What an organization still asks of factors a client holds (inferred.ts `discovery`): nothing, a primary method, or MFA. */
export type Requirement =
  | { kind: 'none' }
  | { kind: 'primary', allowed_auth_methods: string[] }
  | { kind: 'mfa', member?: StoredMember | undefined }

/** The org's auth rules against the factors: primary method first, then MFA. */
export function requirementOf (organization: Organization, member: StoredMember | undefined, factors: AuthenticationFactor[]): Requirement {
  const types = new Set(factors.map((factor) => factor.type))
  const breakglass = member?.is_breakglass === true
  if (!breakglass && organization.auth_methods === 'RESTRICTED' && !organization.allowed_auth_methods.some((method) => types.has(method))) {
    return { kind: 'primary', allowed_auth_methods: [...organization.allowed_auth_methods] }
  }
  const needsMfa = organization.mfa_policy === 'REQUIRED_FOR_ALL' || member?.mfa_enrolled === true
  if (needsMfa && !discovery.mfaFactorTypes.some((type) => types.has(type))) return { kind: 'mfa', member }
  return { kind: 'none' }
}

/** The response fields of a requirement: absent when none ([SDK types] optional). */
export function requirementFields (requirement: Requirement): Record<string, unknown> {
  switch (requirement.kind) {
    case 'none':
      return {}
    case 'primary':
      return { primary_required: { allowed_auth_methods: requirement.allowed_auth_methods } }
    case 'mfa':
      return {
        mfa_required: requirement.member === undefined
          ? {}
          : { member_options: { mfa_phone_number: requirement.member.mfa_phone_number, totp_registration_id: '' } }
      }
  }
}

/** Whether an address may join the org by its domain (email JIT provisioning). */
export function eligibleByDomain (state: EmulatorState, organization: Organization, email: string): boolean {
  const domain = emailDomain(email)
  if (organization.email_jit_provisioning !== 'RESTRICTED' || !organization.email_allowed_domains.includes(domain)) return false
  if (!discovery.requireVerifiedDomainMember) return true
  return organizationMembers(state, organization.organization_id)
    .some((member) => member.status === 'active' && member.email_address_verified && emailDomain(member.email_address) === domain)
}

const MEMBERSHIP_TYPES: Record<string, string> = { active: 'active_member', pending: 'pending_member', invited: 'invited_member' }

/**
 * The DiscoveredOrganization list for an address ([SDK types] discovery.d.ts): every org it is a member
 * of (active / pending / invited), and with `includeEligible` (an intermediate session) those it may
 * join by its domain. Ordered as the orgs were created.
 */
export function discoveredOrganizations (
  state: EmulatorState, email: string, factors: AuthenticationFactor[], includeEligible: boolean
): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = []
  for (const organization of state.organizations.values()) {
    const member = memberByEmail(state, organization.organization_id, email)
    let membership: Record<string, unknown>
    if (member !== undefined) {
      const type = MEMBERSHIP_TYPES[member.status]
      if (type === undefined) continue
      membership = { type, details: {}, member: publicMember(state, member) }
    } else if (includeEligible && eligibleByDomain(state, organization, email)) {
      membership = { type: 'eligible_to_join_by_email_domain', details: { domain: emailDomain(email) } }
    } else {
      continue
    }
    const requirement = requirementOf(organization, member, factors)
    found.push({
      member_authenticated: requirement.kind === 'none',
      organization: publicOrganization(organization),
      membership,
      ...requirementFields(requirement)
    })
  }
  return found
}

/** Starts an intermediate session; its token (only the SHA-256 is stored) and expiry. */
export function createIntermediateSession (
  state: EmulatorState, email: string, factors: AuthenticationFactor[], organizationId?: string
): { token: string, expiresAt: string } {
  const token = newToken()
  const expires = nowMs(state) + discovery.intermediateSessionMinutes * 60_000
  const session: StoredIntermediateSession = {
    email_address: email,
    authentication_factors: structuredClone(factors),
    ...(organizationId === undefined ? {} : { organization_id: organizationId }),
    expires_at_ms: expires,
    used: false
  }
  state.intermediateSessions.set(sha256Hex(token), session)
  return { token, expiresAt: rfc3339(expires) }
}

/** A live intermediate session by its token (unknown, spent or expired → 404 intermediate_session_not_found). */
export function liveIntermediateSession (state: EmulatorState, token: string): StoredIntermediateSession {
  const session = state.intermediateSessions.get(sha256Hex(token))
  if (session === undefined || session.used || session.expires_at_ms <= nowMs(state)) {
    throw new StytchApiError(errors.intermediateSessionNotFound)
  }
  return session
}

/** The email factor of a discovery magic link (no member yet: the email id is filled in per member). */
export function discoveryFactor (state: EmulatorState, email: string): AuthenticationFactor {
  const now = rfc3339(nowMs(state))
  return {
    type: 'magic_link',
    delivery_method: 'email',
    last_authenticated_at: now,
    created_at: now,
    updated_at: now,
    email_factor: { email_id: '', email_address: email }
  }
}

/** The factors carried to a member: email factors take that member's email id. */
export function factorsFor (factors: AuthenticationFactor[], member: StoredMember): AuthenticationFactor[] {
  return structuredClone(factors).map((factor) =>
    factor.email_factor.email_address === member.email_address
      ? { ...factor, email_factor: { email_id: member.email_id, email_address: member.email_address } }
      : factor)
}
