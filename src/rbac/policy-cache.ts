import type { B2BClient } from 'stytch'
import type { PolicyRole } from './policy.js'

export interface PolicyCacheOptions {
  client: B2BClient
  ttlMs: number
  now?: () => number
}

interface Entry { roles: PolicyRole[], fetchedAt: number }

/**
 * Stytch's RBAC policy (project roles, plus the organization's custom roles), fetched through the
 * SDK like its own PolicyCache does, with the same 5-minute freshness. Unlike the SDK's cache, a
 * stale policy is served while it is refreshed in the background, and a failed refresh keeps the
 * last one: a Stytch outage must neither slow nor fail requests. Only a policy that was never
 * loaded makes `roles()` wait for (or fail with) Stytch.
 */
export function createPolicyCache (options: PolicyCacheOptions) {
  const now = options.now ?? Date.now
  let project: Entry | undefined
  const organizations = new Map<string, Entry>()
  const inFlight = new Map<string, Promise<Entry>>()

  function load (key: string, fetch: () => Promise<PolicyRole[]>): Promise<Entry> {
    let pending = inFlight.get(key)
    if (pending === undefined) {
      pending = fetch().then((roles) => ({ roles, fetchedAt: now() })).finally(() => inFlight.delete(key))
      inFlight.set(key, pending)
    }
    return pending
  }

  async function fresh (current: Entry | undefined, key: string, fetch: () => Promise<PolicyRole[]>, store: (e: Entry) => void): Promise<Entry> {
    if (current === undefined) {
      const entry = await load(key, fetch)
      store(entry)
      return entry
    }
    if (now() - current.fetchedAt >= options.ttlMs) {
      // Stale: answer from what we have and refresh in the background (single flight).
      load(key, fetch).then(store, () => {})
    }
    return current
  }

  return {
    /** Every role of the project and of the organization, with their permissions. */
    async roles (organizationId: string): Promise<PolicyRole[]> {
      const [projectEntry, orgEntry] = await Promise.all([
        fresh(project, 'project', async () => (await options.client.rbac.policy()).policy?.roles ?? [], (e) => { project = e }),
        fresh(organizations.get(organizationId), `org:${organizationId}`, async () =>
          (await options.client.rbac.organizations.getOrgPolicy({ organization_id: organizationId })).org_policy?.roles ?? [],
        (e) => { organizations.set(organizationId, e) })
      ])
      return [...projectEntry.roles, ...orgEntry.roles]
    }
  }
}

export type PolicyCache = ReturnType<typeof createPolicyCache>
