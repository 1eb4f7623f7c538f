import { StytchApiError } from './errors.js'
import { newId, rfc3339 } from './ids.js'
import { authSettingFields, errors } from './inferred.js'
import { nowMs, type EmulatorState, type MemberStatus, type Organization, type StoredMember } from './state.js'
import { emailDomain } from './validate.js'

/** Wherever an organization_id is accepted, the slug and external id are too ([SDK] types). */
export function findOrganization (state: EmulatorState, idOrSlug: string): Organization | undefined {
  const byId = state.organizations.get(idOrSlug)
  if (byId !== undefined) return byId
  for (const organization of state.organizations.values()) {
    if (organization.organization_slug === idOrSlug || organization.organization_external_id === idOrSlug) return organization
  }
  return undefined
}

export function requireOrganization (state: EmulatorState, idOrSlug: string): Organization {
  const organization = findOrganization(state, idOrSlug)
  if (organization === undefined) throw new StytchApiError(errors.organizationNotFound)
  return organization
}

/** A non-deleted member of the org, by member_id or external_id. Members of other orgs are "not found". */
export function findMember (state: EmulatorState, organization: Organization, idOrExternalId: string): StoredMember | undefined {
  for (const member of state.members.values()) {
    if (member.organization_id !== organization.organization_id || member.status === 'deleted') continue
    if (member.member_id === idOrExternalId || member.external_id === idOrExternalId) return member
  }
  return undefined
}

export function requireMember (state: EmulatorState, organization: Organization, idOrExternalId: string): StoredMember {
  const member = findMember(state, organization, idOrExternalId)
  if (member === undefined) throw new StytchApiError(errors.memberNotFound)
  return member
}

export function memberByEmail (state: EmulatorState, organizationId: string, email: string): StoredMember | undefined {
  for (const member of state.members.values()) {
    if (member.organization_id === organizationId && member.status !== 'deleted' && member.email_address === email) return member
  }
  return undefined
}

export function organizationMembers (state: EmulatorState, organizationId: string): StoredMember[] {
  return [...state.members.values()].filter((member) => member.organization_id === organizationId)
}

/** Drops keys whose value is `undefined`, so they cannot override defaults when spread. */
export function definedOnly<T extends object> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

export type OrganizationInput = Partial<Omit<Organization, 'organization_id' | 'created_at' | 'updated_at'>> &
  Pick<Organization, 'organization_name' | 'organization_slug'>

export function insertOrganization (state: EmulatorState, input: OrganizationInput): Organization {
  const now = rfc3339(nowMs(state))
  const givesAuthSettings = authSettingFields.some((field) => input[field] !== undefined)
  const organization: Organization = {
    organization_id: newId('organization'),
    organization_logo_url: '',
    trusted_metadata: {},
    sso_jit_provisioning: 'ALL_ALLOWED',
    sso_jit_provisioning_allowed_connections: [],
    sso_active_connections: [],
    email_allowed_domains: [],
    email_jit_provisioning: 'NOT_ALLOWED',
    email_invites: givesAuthSettings ? 'NOT_ALLOWED' : 'ALL_ALLOWED',
    auth_methods: 'ALL_ALLOWED',
    allowed_auth_methods: [],
    mfa_policy: 'OPTIONAL',
    mfa_methods: 'ALL_ALLOWED',
    allowed_mfa_methods: [],
    rbac_email_implicit_role_assignments: [],
    oauth_tenant_jit_provisioning: 'NOT_ALLOWED',
    allowed_oauth_tenants: {},
    claimed_email_domains: [],
    first_party_connected_apps_allowed_type: 'ALL_ALLOWED',
    allowed_first_party_connected_apps: [],
    third_party_connected_apps_allowed_type: 'ALL_ALLOWED',
    allowed_third_party_connected_apps: [],
    custom_roles: [],
    ...(definedOnly(structuredClone(input)) as OrganizationInput),
    created_at: now,
    updated_at: now
  }
  state.organizations.set(organization.organization_id, organization)
  return organization
}

export interface MemberInput {
  email_address: string
  status: MemberStatus
  name?: string
  explicit_roles?: string[]
  trusted_metadata?: Record<string, unknown>
  untrusted_metadata?: Record<string, unknown>
  is_breakglass?: boolean
  mfa_phone_number?: string
  mfa_enrolled?: boolean
  external_id?: string
}

export function insertMember (state: EmulatorState, organization: Organization, input: MemberInput): StoredMember {
  const now = rfc3339(nowMs(state))
  const member: StoredMember = {
    member_id: newId('member'),
    organization_id: organization.organization_id,
    email_address: input.email_address,
    email_id: newId('email'),
    status: input.status,
    name: input.name ?? '',
    is_breakglass: input.is_breakglass ?? false,
    email_address_verified: false,
    mfa_phone_number: input.mfa_phone_number ?? '',
    mfa_enrolled: input.mfa_enrolled ?? false,
    default_mfa_method: '',
    explicit_roles: input.explicit_roles ?? [],
    trusted_metadata: input.trusted_metadata ?? {},
    untrusted_metadata: input.untrusted_metadata ?? {},
    retired_email_addresses: [],
    created_at: now,
    updated_at: now
  }
  if (input.external_id !== undefined) member.external_id = input.external_id
  state.members.set(member.member_id, member)
  return member
}

export function touch (state: EmulatorState, record: { updated_at: string }): void {
  record.updated_at = rfc3339(nowMs(state))
}

interface MemberRole { role_id: string, sources: Array<{ type: string, details?: Record<string, unknown> }> }

/** stytch_member (always), explicit roles (direct_assignment), then the org's email-domain roles (email_assignment). */
export function memberRoles (organization: Organization, member: StoredMember): MemberRole[] {
  const roles = new Map<string, MemberRole>()
  const add = (roleId: string, source: MemberRole['sources'][number]): void => {
    const role = roles.get(roleId) ?? { role_id: roleId, sources: [] }
    role.sources.push(source)
    roles.set(roleId, role)
  }
  add('stytch_member', { type: 'direct_assignment' })
  for (const roleId of member.explicit_roles) add(roleId, { type: 'direct_assignment' })
  const domain = emailDomain(member.email_address)
  for (const assignment of organization.rbac_email_implicit_role_assignments) {
    if (assignment.domain.toLowerCase() === domain) add(assignment.role_id, { type: 'email_assignment', details: { domain } })
  }
  return [...roles.values()]
}

/** The session's `roles`: recomputed from the member's current roles at every authenticate / mint. */
export function sessionRoleIds (state: EmulatorState, member: StoredMember): string[] {
  const organization = state.organizations.get(member.organization_id)
  return organization === undefined ? ['stytch_member'] : memberRoles(organization, member).map((role) => role.role_id)
}

export function publicMember (state: EmulatorState, member: StoredMember): Record<string, unknown> {
  const organization = state.organizations.get(member.organization_id)
  const roles = organization === undefined ? [] : memberRoles(organization, member)
  const { email_id: _emailId, explicit_roles: _explicitRoles, ...fields } = member
  return {
    ...structuredClone(fields),
    sso_registrations: [],
    oauth_registrations: [],
    member_password_id: '',
    totp_registration_id: '',
    mfa_phone_number_verified: false,
    is_locked: false,
    is_admin: roles.some((role) => role.role_id === 'stytch_admin'),
    roles
  }
}

export function publicOrganization (organization: Organization): Organization {
  return structuredClone(organization)
}

/** Revokes every live session of the member; returns how many were live. */
export function revokeMemberSessions (state: EmulatorState, memberId: string): number {
  let revoked = 0
  for (const session of state.sessions.values()) {
    if (session.member_id === memberId && !session.revoked) {
      session.revoked = true
      revoked++
    }
  }
  return revoked
}

/** Soft delete: status `deleted`, sessions and outstanding magic links (invites) revoked. */
export function softDeleteMember (state: EmulatorState, member: StoredMember): void {
  member.status = 'deleted'
  touch(state, member)
  revokeMemberSessions(state, member.member_id)
  for (const link of state.magicLinks.values()) {
    if (link.member_id === member.member_id) link.revoked = true
  }
}

/** Hard-deletes the org with all its members, their sessions and magic links. */
export function deleteOrganization (state: EmulatorState, organization: Organization): void {
  const orgId = organization.organization_id
  for (const member of organizationMembers(state, orgId)) {
    revokeMemberSessions(state, member.member_id)
    state.members.delete(member.member_id)
  }
  for (const [hash, link] of state.magicLinks) if (link.organization_id === orgId) state.magicLinks.delete(hash)
  for (const [id, session] of state.sessions) {
    if (session.organization_id === orgId) {
      state.sessions.delete(id)
      state.sessionsByToken.delete(session.session_token)
    }
  }
  state.organizations.delete(orgId)
}
