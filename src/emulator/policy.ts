import { loadProjectPolicy, type PolicyResource, type PolicyRole, type ProjectPolicy } from '../rbac/policy.js'
import { type Organization } from './state.js'

const crud = ['create', 'get', 'update', 'delete']

/** Stytch's default resources and their actions (reference §8.3, hyphenated spellings). */
const defaultResources: PolicyResource[] = [
  {
    resource_id: 'stytch.organization',
    description: 'Stytch default resource: the organization',
    actions: [
      'update.info.name', 'update.info.slug', 'update.info.logo-url', 'update.settings.allowed-auth-methods',
      'update.settings.allowed-mfa-methods', 'update.settings.email-jit-provisioning', 'update.settings.email-invites',
      'update.settings.allowed-domains', 'update.settings.default-sso-connection', 'update.settings.sso-jit-provisioning',
      'update.settings.mfa-policy', 'update.settings.implicit-roles', 'update.settings.oauth-tenant-jit-provisioning',
      'update.settings.allowed-oauth-tenants', 'delete'
    ]
  },
  {
    resource_id: 'stytch.member',
    description: 'Stytch default resource: the members of the organization',
    actions: [
      'create', 'update.info.name', 'update.info.email', 'update.info.untrusted-metadata', 'update.info.mfa-phone',
      'update.info.delete.mfa-phone', 'update.info.delete.mfa-totp', 'update.info.delete.password',
      'update.settings.is-breakglass', 'update.settings.mfa-enrolled', 'update.settings.default-mfa-method',
      'update.settings.roles', 'search', 'delete', 'revoke-sessions'
    ]
  },
  {
    resource_id: 'stytch.self',
    description: "Stytch default resource: the member's own record",
    actions: [
      'update.info.name', 'update.info.untrusted-metadata', 'update.info.mfa-phone', 'update.info.delete.mfa-phone',
      'update.info.delete.password', 'update.info.delete.mfa-totp', 'update.settings.mfa-enrolled',
      'update.settings.default-mfa-method', 'delete', 'revoke-sessions'
    ]
  },
  { resource_id: 'stytch.sso', description: 'Stytch default resource: SSO connections', actions: crud },
  { resource_id: 'stytch.scim', description: 'Stytch default resource: SCIM connections', actions: crud }
]

const defaultRoles: PolicyRole[] = [
  {
    role_id: 'stytch_member',
    description: 'Granted to every member',
    permissions: [{ resource_id: 'stytch.self', actions: ['*'] }]
  },
  {
    role_id: 'stytch_admin',
    description: 'Stytch default admin role',
    permissions: ['stytch.organization', 'stytch.member', 'stytch.sso', 'stytch.scim']
      .map((resourceId) => ({ resource_id: resourceId, actions: ['*'] }))
  }
]

/** The policy the emulator serves (rbac/policy): Stytch's defaults ∪ the project's file, plus (empty) scopes. */
export type ServedPolicy = ProjectPolicy & { scopes: unknown[] }

/** Default policy ∪ the project's policy file: permissions of the same role_id are unioned. */
export function buildProjectPolicy (): ServedPolicy {
  const project = loadProjectPolicy()
  const roles = new Map<string, PolicyRole>(defaultRoles.map((role) => [role.role_id, structuredClone(role)]))
  for (const role of project.roles) {
    const existing = roles.get(role.role_id)
    if (existing === undefined) roles.set(role.role_id, structuredClone(role))
    else existing.permissions.push(...structuredClone(role.permissions))
  }
  const resources = new Map<string, PolicyResource>(defaultResources.map((r) => [r.resource_id, structuredClone(r)]))
  for (const resource of project.resources) {
    if (!resources.has(resource.resource_id)) resources.set(resource.resource_id, structuredClone(resource))
  }
  return { roles: [...roles.values()], resources: [...resources.values()], scopes: [] }
}

/** The roles the SDK's local check would see for this org: project roles, then the org policy's roles. */
export function policyRolesFor (policy: ServedPolicy, organization: Organization): PolicyRole[] {
  return policy.roles.concat(organization.custom_roles)
}

export function roleExists (policy: ServedPolicy, organization: Organization, roleId: string): boolean {
  return policyRolesFor(policy, organization).some((role) => role.role_id === roleId)
}

/**
 * The session roles that grant `action` on `resourceId`, by exactly the rule of the SDK's
 * performBaseRoleAuthorizationCheck (dist/shared/rbac_local.js): a permission matches when its role is held,
 * its resource_id equals the resource exactly, and its actions contain the action or "*".
 */
export function grantingRoles (policyRoles: PolicyRole[], subjectRoles: string[], resourceId: string, action: string): string[] {
  return [...new Set(subjectRoles)].filter((roleId) => policyRoles
    .filter((role) => role.role_id === roleId)
    .flatMap((role) => role.permissions)
    .some((permission) => permission.resource_id === resourceId &&
      (permission.actions.includes(action) || permission.actions.includes('*'))))
}
