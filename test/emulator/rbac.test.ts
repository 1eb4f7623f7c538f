// RBAC (reference §3 rows 9–11, §6.2 authorization check, §7.2 local check, §8): the policy endpoints, and the
// same allow/deny verdict locally (authenticateJwtLocal) and remotely (sessions.authenticate).
import t, { type Test } from 'tap'
import { decodeJwt } from 'jose'
import { type AuthorizationCheck, type B2BClient, type B2BMagicLinksAuthenticateResponse } from 'stytch'
import {
  callCount, type Harness, login, memberId, must, newClient, orgId, readCalls, rejectsClient, rejectsStytch,
  resetCalls, SESSIONS_AUTHENTICATE, startHarness
} from './helper.js'

type Session = B2BMagicLinksAuthenticateResponse

const DENIED = {
  status_code: 403,
  error_type: 'session_authorization_error',
  error_message: 'The Member is not authorized to perform the requested action on that resource.'
}
const OTHER_ORG = { status_code: 403, error_type: 'session_authorization_tenancy_error' }

/** Asserts the check is granted both locally and remotely, with exactly `granting` roles in the verdict. */
async function allowedBothWays (t: Test, h: Harness, client: B2BClient, s: Session, check: AuthorizationCheck, granting: string[]): Promise<void> {
  const label = `${check.resource_id} ${check.action}`
  const local = await client.sessions.authenticateJwtLocal({ session_jwt: s.session_jwt, authorization_check: check })
  t.equal(local.member_id, s.member_id, `${label}: allowed locally`)
  const remote = await h.client.sessions.authenticate({ session_jwt: s.session_jwt, authorization_check: check })
  t.same(remote.verdict, { authorized: true, granting_roles: granting }, `${label}: allowed remotely with verdict`)
  const byToken = await h.client.sessions.authenticate({ session_token: s.session_token, authorization_check: check })
  t.same(byToken.verdict?.granting_roles, granting, `${label}: same verdict by session token`)
}

async function deniedBothWays (t: Test, h: Harness, client: B2BClient, s: Session, check: AuthorizationCheck, otherOrg: boolean): Promise<void> {
  const label = `${check.resource_id} ${check.action}`
  await rejectsClient(t, client.sessions.authenticateJwtLocal({ session_jwt: s.session_jwt, authorization_check: check }),
    otherOrg ? 'tenancy_mismatch' : 'invalid_permissions', `${label} locally`)
  const expected = otherOrg ? OTHER_ORG : DENIED
  await rejectsStytch(t, h.client.sessions.authenticate({ session_jwt: s.session_jwt, authorization_check: check }), expected, `${label} remotely`)
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: s.session_token, authorization_check: check }), expected, `${label} by token`)
  // The hybrid call swallows the local error and asks the API, so the API's 403 surfaces (§7.3).
  await rejectsStytch(t, client.sessions.authenticateJwt({ session_jwt: s.session_jwt, authorization_check: check }), expected, `${label} hybrid`)
}

t.test('rbac.policy merges Stytch\'s default policy with the project policy', async (t) => {
  const h = await startHarness(t)
  const res = await h.client.rbac.policy()
  t.equal(res.status_code, 200)
  const policy = must(res.policy, 'policy')
  const role = (id: string): Record<string, string[]> => Object.fromEntries(
    must(policy.roles.find((r) => r.role_id === id), `role ${id}`).permissions.map((p) => [p.resource_id, p.actions]))
  t.same(role('stytch_member'), { 'stytch.self': ['*'], sessions: ['update'] }, 'the default grant plus the project policy file')
  t.match(role('stytch_admin'), {
    'stytch.organization': ['*'], 'stytch.member': ['*'], 'stytch.sso': ['*'], 'stytch.scim': ['*'], documents: ['*']
  })
  t.same(role('viewer'), { documents: ['read'] })
  t.same(role('editor'), { documents: ['read', 'create', 'update'] })
  t.ok(policy.roles.every((r) => typeof r.description === 'string'), 'roles have descriptions')
  const resource = (id: string): string[] => must(policy.resources.find((r) => r.resource_id === id), `resource ${id}`).actions
  t.same(resource('documents'), ['read', 'create', 'update', 'delete'])
  for (const id of ['stytch.organization', 'stytch.member', 'stytch.sso', 'stytch.self', 'stytch.scim']) t.ok(resource(id).length > 0, id)
  t.ok(resource('stytch.member').includes('update.info.untrusted-metadata'), 'hyphenated action names (§8.3)')
  t.ok(resource('stytch.self').includes('revoke-sessions'))
  t.ok(resource('stytch.organization').includes('update.settings.email-jit-provisioning'))
  t.same(policy.scopes, [])

  const wrong = newClient(t, h.emu, 'secret-test-wrong')
  await rejectsStytch(t, wrong.rbac.policy(), { status_code: 401, error_type: 'unauthorized_credentials' })
})

t.test('org policy: 200 with empty roles by default, set and get, 404 for unknown orgs', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const empty = await h.client.rbac.organizations.getOrgPolicy({ organization_id: acme })
  t.equal(empty.status_code, 200)
  t.same(empty.org_policy, { roles: [] })
  const auditor = { role_id: 'auditor', description: 'Reads documents', permissions: [{ resource_id: 'documents', actions: ['read'] }] }
  const set = await h.client.rbac.organizations.setOrgPolicy({ organization_id: acme, org_policy: { roles: [auditor] } })
  t.equal(set.status_code, 200)
  t.same(set.org_policy.roles, [auditor])
  t.same((await h.client.rbac.organizations.getOrgPolicy({ organization_id: acme })).org_policy.roles, [auditor])
  t.same((await h.client.rbac.organizations.getOrgPolicy({ organization_id: await orgId(h, 'globex') })).org_policy.roles, [], 'per org')
  await rejectsStytch(t, h.client.rbac.organizations.getOrgPolicy({ organization_id: 'organization-test-missing' }),
    { status_code: 404, error_type: 'organization_not_found' })
  await rejectsStytch(t, h.client.rbac.organizations.setOrgPolicy({ organization_id: 'organization-test-missing', org_policy: { roles: [] } }),
    { status_code: 404, error_type: 'organization_not_found' })
})

t.test('authorization checks agree locally and remotely: allowed', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const client = newClient(t, h.emu)
  const editor = await login(h, 'editor@acme.test')
  const admin = await login(h, 'admin@acme.test')
  const viewer = await login(h, 'viewer@acme.test')
  await allowedBothWays(t, h, client, editor, { organization_id: acme, resource_id: 'documents', action: 'update' }, ['editor'])
  await allowedBothWays(t, h, client, viewer, { organization_id: acme, resource_id: 'documents', action: 'read' }, ['viewer'])
  await allowedBothWays(t, h, client, admin, { organization_id: acme, resource_id: 'documents', action: 'delete' }, ['stytch_admin'])
  await allowedBothWays(t, h, client, admin, { organization_id: acme, resource_id: 'stytch.member', action: 'create' }, ['stytch_admin'])
  await allowedBothWays(t, h, client, viewer, { organization_id: acme, resource_id: 'stytch.self', action: 'update.info.name' }, ['stytch_member'])

  await resetCalls(h.emu)
  const hybrid = await client.sessions.authenticateJwt({
    session_jwt: editor.session_jwt, authorization_check: { organization_id: acme, resource_id: 'documents', action: 'create' }
  })
  t.equal(hybrid.member_session.member_id, editor.member_id)
  t.equal(callCount(await readCalls(h.emu), SESSIONS_AUTHENTICATE), 0, 'an allowed hybrid check stays local')
})

t.test('authorization checks agree locally and remotely: denied and other org', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  const client = newClient(t, h.emu)
  const viewer = await login(h, 'viewer@acme.test')
  const editor = await login(h, 'editor@acme.test')
  await deniedBothWays(t, h, client, viewer, { organization_id: acme, resource_id: 'documents', action: 'update' }, false)
  await deniedBothWays(t, h, client, editor, { organization_id: acme, resource_id: 'documents', action: 'delete' }, false)
  await deniedBothWays(t, h, client, editor, { organization_id: acme, resource_id: 'stytch.member', action: 'create' }, false)
  await deniedBothWays(t, h, client, editor, { organization_id: acme, resource_id: 'Documents', action: 'read' }, false)
  await deniedBothWays(t, h, client, editor, { organization_id: globex, resource_id: 'documents', action: 'read' }, true)
  await deniedBothWays(t, h, client, viewer, { organization_id: globex, resource_id: 'documents', action: 'update' }, true)

  const still = await h.client.sessions.authenticate({ session_token: viewer.session_token })
  t.equal(still.member_session.member_id, viewer.member_id, 'a denied check does not end the session')
})

t.test('several granting roles and role changes reach the next minted JWT', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const viewerId = await memberId(h, acme, 'viewer@acme.test')
  const before = await login(h, 'viewer@acme.test')
  await h.client.organizations.members.update({ organization_id: acme, member_id: viewerId, roles: ['viewer', 'editor'] })
  const after = await h.client.sessions.authenticate({ session_token: before.session_token })
  t.same([...after.member_session.roles].sort(), ['editor', 'stytch_member', 'viewer'], 'session roles recomputed')
  const claim = decodeJwt(after.session_jwt)['https://stytch.com/session'] as { roles: string[] }
  t.same([...claim.roles].sort(), ['editor', 'stytch_member', 'viewer'], 'new JWT carries the new roles')
  const check = { organization_id: acme, resource_id: 'documents', action: 'read' }
  const remote = await h.client.sessions.authenticate({ session_token: before.session_token, authorization_check: check })
  t.same([...(remote.verdict?.granting_roles ?? [])].sort(), ['editor', 'viewer'], 'every granting role is listed')
  const local = await newClient(t, h.emu).sessions.authenticateJwtLocal({
    session_jwt: after.session_jwt, authorization_check: { ...check, action: 'update' }
  })
  t.equal(local.member_id, viewerId, 'the new role is honoured locally')
})

t.test('org policy roles count in both checks', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  await h.client.rbac.organizations.setOrgPolicy({
    organization_id: acme,
    org_policy: { roles: [{ role_id: 'auditor', description: 'Reads documents', permissions: [{ resource_id: 'documents', actions: ['read'] }] }] }
  })
  const created = await h.client.organizations.members.create({ organization_id: acme, email_address: 'audit@acme.test', roles: ['auditor'] })
  t.ok(created.member.roles.some((r) => r.role_id === 'auditor'), 'an org role can be assigned in its org')
  const auditor = await login(h, 'audit@acme.test')
  const client = newClient(t, h.emu)
  await allowedBothWays(t, h, client, auditor, { organization_id: acme, resource_id: 'documents', action: 'read' }, ['auditor'])
  await deniedBothWays(t, h, client, auditor, { organization_id: acme, resource_id: 'documents', action: 'update' }, false)
  await rejectsStytch(t, h.client.organizations.members.create({ organization_id: globex, email_address: 'audit@globex.test', roles: ['auditor'] }),
    { status_code: 400, error_type: /role/ }, 'the role does not exist in another org')
})
