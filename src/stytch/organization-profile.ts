import type { Organization } from 'stytch'
import type { OrganizationProfile } from '../schemas/organization.js'

/** The part of a Stytch organization its members see (see OrganizationProfileSchema for what is left out). */
export function organizationProfile (organization: Organization): OrganizationProfile {
  return {
    organization_id: organization.organization_id,
    organization_name: organization.organization_name,
    organization_slug: organization.organization_slug,
    organization_logo_url: organization.organization_logo_url ?? '',
    email_allowed_domains: organization.email_allowed_domains ?? [],
    email_jit_provisioning: organization.email_jit_provisioning,
    email_invites: organization.email_invites,
    auth_methods: organization.auth_methods,
    allowed_auth_methods: organization.allowed_auth_methods ?? [],
    mfa_policy: organization.mfa_policy,
    created_at: organization.created_at ?? null,
    updated_at: organization.updated_at ?? null
  }
}
