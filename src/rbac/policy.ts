import { readFileSync } from 'node:fs'

/** One permission of a role: the actions it grants on one resource (`*` grants every action). */
export interface PolicyPermission { resource_id: string, actions: string[] }
export interface PolicyRole { role_id: string, description: string, permissions: PolicyPermission[] }
export interface PolicyResource { resource_id: string, description: string, actions: string[] }
export interface ProjectPolicy { roles: PolicyRole[], resources: PolicyResource[] }

/**
 * The project's own RBAC policy (custom roles and resources), read from the one JSON file that is
 * also what must be configured in the Stytch dashboard. The build copies it next to this module.
 */
export function loadProjectPolicy (): ProjectPolicy {
  const raw = JSON.parse(readFileSync(new URL('./policy.json', import.meta.url), 'utf8')) as ProjectPolicy
  return { roles: raw.roles, resources: raw.resources }
}
