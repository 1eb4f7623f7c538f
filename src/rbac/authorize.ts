import type { PolicyRole } from './policy.js'

/** A permission a route needs: an action on a resource, in the organization named by the path or the session. */
export interface RoutePermission {
  resource: string
  action: string
  /** `path`: the route's `:organizationId` must be the session's organization; `session`: the session's own. */
  organization: 'path' | 'session'
}

/**
 * Stytch's RBAC rule, exactly as the SDK's local check applies it: some role the session holds has
 * a permission on exactly this resource whose actions contain the action or `*`.
 */
export function grantingRoles (roles: PolicyRole[], sessionRoles: readonly string[], resource: string, action: string): string[] {
  return roles
    .filter((role) => sessionRoles.includes(role.role_id))
    .filter((role) => role.permissions.some((p) => p.resource_id === resource && (p.actions.includes(action) || p.actions.includes('*'))))
    .map((role) => role.role_id)
}

/** How a permission reads in docs and OpenAPI. */
export const describePermission = (p: RoutePermission): string =>
  `\`${p.action}\` on \`${p.resource}\` in the ${p.organization === 'path' ? 'organization of the path, which must be the session\'s' : 'session\'s organization'}`

/** The permissions a route declares in `config.permission` (one or several, all required). */
export const routePermissions = (config: { permission?: RoutePermission | RoutePermission[] } | undefined): RoutePermission[] => {
  const permission = config?.permission
  return permission === undefined ? [] : Array.isArray(permission) ? permission : [permission]
}

/**
 * True when moving from the `before` roles to the `after` roles takes away any permission (a `*`
 * counts as its own grant, only matched by another `*`). A promotion (viewer → editor) loses
 * nothing even though a role id disappears.
 */
export function losesPermissions (roles: PolicyRole[], before: readonly string[], after: readonly string[]): boolean {
  const grants = (held: readonly string[]) => roles.filter((role) => held.includes(role.role_id)).flatMap((role) => role.permissions)
  const kept = grants(after)
  return grants(before).some((p) => p.actions.some((action) =>
    !kept.some((q) => q.resource_id === p.resource_id && (q.actions.includes('*') || q.actions.includes(action)))))
}
