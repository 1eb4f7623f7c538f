import { readFileSync } from 'node:fs'
import { Type, type Static } from '@sinclair/typebox'

/**
 * Stytch's RBAC policy shapes, once for the app (policy checks, the policy file) and the emulator
 * (what it serves and accepts as an organization policy).
 */

/** One permission of a role: the actions it grants on one resource (`*` grants every action). */
export const PolicyPermissionSchema = Type.Object({ resource_id: Type.String(), actions: Type.Array(Type.String()) })
export const PolicyRoleSchema = Type.Object({ role_id: Type.String(), description: Type.String(), permissions: Type.Array(PolicyPermissionSchema) })
export const PolicyResourceSchema = Type.Object({ resource_id: Type.String(), description: Type.String(), actions: Type.Array(Type.String()) })
/** The project's own policy, as in policy.json (custom roles and resources). */
export const ProjectPolicySchema = Type.Object({ roles: Type.Array(PolicyRoleSchema), resources: Type.Array(PolicyResourceSchema) })

export type PolicyPermission = Static<typeof PolicyPermissionSchema>
export type PolicyRole = Static<typeof PolicyRoleSchema>
export type PolicyResource = Static<typeof PolicyResourceSchema>
export type ProjectPolicy = Static<typeof ProjectPolicySchema>

/**
 * The project's own RBAC policy (custom roles and resources), read from the one JSON file that is
 * also what must be configured in the Stytch dashboard. The build copies it next to this module.
 */
export function loadProjectPolicy (): ProjectPolicy {
  const raw = JSON.parse(readFileSync(new URL('./policy.json', import.meta.url), 'utf8')) as ProjectPolicy
  return { roles: raw.roles, resources: raw.resources }
}
