import t from 'tap'
import type { B2BClient } from 'stytch'
import { createPolicyCache } from '../../src/rbac/policy-cache.js'
import type { PolicyRole } from '../../src/rbac/policy.js'

const role = (id: string): PolicyRole => ({ role_id: id, description: id, permissions: [{ resource_id: 'documents', actions: ['read'] }] })

interface Pending<T> { resolve: (value: T) => void, reject: (err: Error) => void }

/**
 * The dependency, not the thing under test: an SDK client with just `rbac.policy()` and
 * `rbac.organizations.getOrgPolicy()`. Each call waits until the test settles it.
 */
function fakeClient () {
  const project: Array<Pending<PolicyRole[]>> = []
  const orgs: Array<Pending<PolicyRole[]> & { organization_id: string }> = []
  const client = {
    rbac: {
      policy: async () => ({ policy: { roles: await new Promise<PolicyRole[]>((resolve, reject) => { project.push({ resolve, reject }) }) } }),
      organizations: {
        getOrgPolicy: async ({ organization_id: organizationId }: { organization_id: string }) => ({
          org_policy: { roles: await new Promise<PolicyRole[]>((resolve, reject) => { orgs.push({ organization_id: organizationId, resolve, reject }) }) }
        })
      }
    }
  } as unknown as B2BClient
  return { client, project, orgs }
}

const ids = (roles: PolicyRole[]): string[] => roles.map((r) => r.role_id)
/** Lets a settled fetch reach the cache (and a background refresh store its entry). */
const settle = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

/** A cache whose first load for org-1 has completed at `clock()` (project: admin; org-1: org-viewer). */
async function loaded (clock: () => number) {
  const fake = fakeClient()
  const cache = createPolicyCache({ client: fake.client, ttlMs: 1_000, now: clock })
  const first = cache.roles('org-1')
  fake.project[0]?.resolve([role('admin')])
  fake.orgs[0]?.resolve([role('org-viewer')])
  return { ...fake, cache, first: await first }
}

t.test('the first load fetches project and organization roles, and concurrent first callers share it', async (t) => {
  const fake = fakeClient()
  const cache = createPolicyCache({ client: fake.client, ttlMs: 1_000, now: () => 0 })
  const a = cache.roles('org-1')
  const b = cache.roles('org-1')
  await settle()
  t.equal(fake.project.length, 1, 'one project policy fetch')
  t.equal(fake.orgs.length, 1, 'one organization policy fetch')
  t.equal(fake.orgs[0]?.organization_id, 'org-1')
  fake.project[0]?.resolve([role('admin')])
  fake.orgs[0]?.resolve([role('org-viewer')])
  t.same(ids(await a), ['admin', 'org-viewer'], 'project roles, then the organization\'s')
  t.same(ids(await b), ['admin', 'org-viewer'])
})

t.test('fresh within the ttl: no Stytch call', async (t) => {
  let clock = 0
  const { cache, project, orgs, first } = await loaded(() => clock)
  t.same(ids(first), ['admin', 'org-viewer'])
  clock = 999
  t.same(ids(await cache.roles('org-1')), ['admin', 'org-viewer'])
  t.equal(project.length, 1)
  t.equal(orgs.length, 1)
})

t.test('organization policies are cached per organization', async (t) => {
  const { cache, project, orgs } = await loaded(() => 0)
  const other = cache.roles('org-2')
  await settle()
  t.equal(project.length, 1, 'the project policy is shared')
  t.equal(orgs.length, 2)
  t.equal(orgs[1]?.organization_id, 'org-2')
  orgs[1]?.resolve([])
  t.same(ids(await other), ['admin'])
})

t.test('stale: served at once while one background refresh runs, then replaced', async (t) => {
  let clock = 0
  const { cache, project, orgs } = await loaded(() => clock)
  clock = 1_000
  t.same(ids(await cache.roles('org-1')), ['admin', 'org-viewer'], 'answered from the stale policy without waiting')
  t.same(ids(await cache.roles('org-1')), ['admin', 'org-viewer'], 'again, while the refresh is still in flight')
  t.equal(project.length, 2, 'one project refresh (single flight)')
  t.equal(orgs.length, 2, 'one organization refresh (single flight)')

  project[1]?.resolve([role('admin'), role('auditor')])
  orgs[1]?.resolve([])
  await settle()
  t.same(ids(await cache.roles('org-1')), ['admin', 'auditor'], 'the refreshed policy')
  t.equal(project.length, 2, 'fresh again: no further call')

  clock = 1_999
  await cache.roles('org-1')
  t.equal(project.length, 2, 'the ttl counts from the refresh')
  clock = 2_000
  await cache.roles('org-1')
  t.equal(project.length, 3)
})

t.test('a failed refresh keeps the last policy, and is retried', async (t) => {
  let clock = 0
  const { cache, project, orgs } = await loaded(() => clock)
  clock = 5_000
  t.same(ids(await cache.roles('org-1')), ['admin', 'org-viewer'])
  project[1]?.reject(new Error('stytch down'))
  orgs[1]?.reject(new Error('stytch down'))
  await settle()

  t.same(ids(await cache.roles('org-1')), ['admin', 'org-viewer'], 'the last policy, no error')
  t.equal(project.length, 3, 'still stale: the next request refreshes again')
  project[2]?.resolve([role('editor')])
  orgs[2]?.resolve([role('org-viewer')])
  await settle()
  t.same(ids(await cache.roles('org-1')), ['editor', 'org-viewer'], 'replaced once Stytch answers')
})

t.test('a policy never loaded fails with Stytch, and the next call tries again', async (t) => {
  const fake = fakeClient()
  const cache = createPolicyCache({ client: fake.client, ttlMs: 1_000, now: () => 0 })
  const first = cache.roles('org-1')
  await settle()
  fake.project[0]?.reject(new Error('stytch down'))
  fake.orgs[0]?.resolve([role('org-viewer')])
  await t.rejects(first, /stytch down/, 'nothing to fall back on')

  const second = cache.roles('org-1')
  await settle()
  t.equal(fake.project.length, 2, 'the failure is not cached')
  t.equal(fake.orgs.length, 1, 'the organization policy that did load is kept')
  fake.project[1]?.resolve([role('admin')])
  t.same(ids(await second), ['admin', 'org-viewer'])
})

t.test('a policy without roles reads as none', async (t) => {
  const client = {
    rbac: {
      policy: async () => ({}),
      organizations: { getOrgPolicy: async () => ({}) }
    }
  } as unknown as B2BClient
  const cache = createPolicyCache({ client, ttlMs: 1_000, now: () => 0 })
  t.same(await cache.roles('org-1'), [])
})
