import { StytchApiError } from './errors.js'
import { commonEmailDomains, errors } from './inferred.js'
import { type EmailImplicitRoleAssignment, type EmulatorState, type Organization } from './state.js'
import { checkOrganizationName, checkSlug } from './validate.js'

/** Name, slug format and slug / external-id uniqueness, as create and update both need them. */
export function checkIdentity (
  state: EmulatorState,
  fields: { organization_name?: string | undefined, organization_slug?: string | undefined, organization_external_id?: string | undefined },
  selfId?: string
): void {
  if (fields.organization_name !== undefined) checkOrganizationName(fields.organization_name)
  const others = [...state.organizations.values()].filter((organization) => organization.organization_id !== selfId)
  if (fields.organization_slug !== undefined) {
    checkSlug(fields.organization_slug)
    if (others.some((organization) => organization.organization_slug === fields.organization_slug)) {
      throw new StytchApiError(errors.slugAlreadyUsed)
    }
  }
  const externalId = fields.organization_external_id
  if (externalId !== undefined && externalId !== '' &&
    others.some((organization) => organization.organization_external_id === externalId)) {
    throw new StytchApiError(errors.duplicateOrganizationExternalId)
  }
}

/** Implicit role assignments must name assignable roles of the policy (never stytch_member). */
export function checkImplicitRoles (
  state: EmulatorState, organization: Pick<Organization, 'custom_roles'>, assignments: EmailImplicitRoleAssignment[] | undefined
): EmailImplicitRoleAssignment[] | undefined {
  if (assignments === undefined) return undefined
  const known = new Set([...state.policy.roles, ...organization.custom_roles].map((role) => role.role_id))
  for (const assignment of assignments) {
    if (assignment.role_id === 'stytch_member') throw new StytchApiError(errors.cannotAssignDefaultRole)
    if (!known.has(assignment.role_id)) throw new StytchApiError(errors.invalidRoleId)
  }
  return assignments.map((assignment) => ({ domain: assignment.domain.toLowerCase(), role_id: assignment.role_id }))
}

const DOMAIN = /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * `email_allowed_domains`, lower-cased; each must be a domain name, and not a common email provider
 * ([SDK doc comment]: "Common domains such as gmail.com are not allowed"; the error type and our
 * short list of common domains are [inferred], see inferred.ts).
 */
export function normalizeDomains (domains: string[] | undefined): string[] | undefined {
  const normalized = domains?.map((domain) => domain.trim().toLowerCase())
  for (const domain of normalized ?? []) {
    if (!DOMAIN.test(domain)) throw new StytchApiError(errors.invalidAllowedDomain, `${JSON.stringify(domain).slice(0, 80)} is not a valid domain.`)
    if (commonEmailDomains.includes(domain)) throw new StytchApiError(errors.commonAllowedDomain)
  }
  return normalized === undefined ? undefined : [...new Set(normalized)]
}

/** [SDK doc comment] an org must keep at least one way to provision new members. */
export function checkProvisioningStillPossible (organization: Organization): void {
  const settings = [organization.email_jit_provisioning, organization.email_invites,
    organization.sso_jit_provisioning, organization.oauth_tenant_jit_provisioning]
  if (settings.every((setting) => setting === 'NOT_ALLOWED')) throw new StytchApiError(errors.noAuthSettingAllowed)
}

/** organizations.update field → the stytch.organization action a session header needs for it (§8.5). */
export const organizationFieldActions: Record<string, string> = {
  organization_name: 'update.info.name',
  organization_slug: 'update.info.slug',
  organization_logo_url: 'update.info.logo-url',
  sso_default_connection_id: 'update.settings.default-sso-connection',
  sso_jit_provisioning: 'update.settings.sso-jit-provisioning',
  sso_jit_provisioning_allowed_connections: 'update.settings.sso-jit-provisioning',
  email_allowed_domains: 'update.settings.allowed-domains',
  email_jit_provisioning: 'update.settings.email-jit-provisioning',
  email_invites: 'update.settings.email-invites',
  auth_methods: 'update.settings.allowed-auth-methods',
  allowed_auth_methods: 'update.settings.allowed-auth-methods',
  mfa_policy: 'update.settings.mfa-policy',
  rbac_email_implicit_role_assignments: 'update.settings.implicit-roles',
  mfa_methods: 'update.settings.allowed-mfa-methods',
  allowed_mfa_methods: 'update.settings.allowed-mfa-methods',
  oauth_tenant_jit_provisioning: 'update.settings.oauth-tenant-jit-provisioning',
  allowed_oauth_tenants: 'update.settings.allowed-oauth-tenants'
}
