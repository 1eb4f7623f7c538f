// Response shapes held to the SDK's types (node_modules/stytch/types/lib/b2b/*.d.ts): what Stytch's own
// SDKs and example apps tripped over. Optional (`?:`) fields are absent, never null; keys a response type
// does not have are not sent.
import t from 'tap'
import { login, orgId, rejectsStytch, startHarness } from './helper.js'

/** Every path in `value` whose value is null (Stytch's SDK types mark these fields optional, not nullable). */
function nullPaths (value: unknown, path = '$'): string[] {
  if (value === null) return [path]
  if (Array.isArray(value)) return value.flatMap((item, index) => nullPaths(item, `${path}[${index}]`))
  if (typeof value === 'object') return Object.entries(value as object).flatMap(([key, item]) => nullPaths(item, `${path}.${key}`))
  return []
}

t.test('sessions.authenticate has no top-level member_id (B2BSessionsAuthenticateResponse)', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'editor@acme.test')
  for (const credential of [{ session_token: session.session_token }, { session_jwt: session.session_jwt }]) {
    const response = await h.client.sessions.authenticate(credential)
    t.notOk('member_id' in response, 'no top-level member_id')
    t.equal(response.member_session.member_id, session.member_id, 'the member id is in member_session')
    t.equal(response.member.member_id, session.member_id, 'and in member')
    t.same(Object.keys(response).sort(),
      ['member', 'member_session', 'organization', 'request_id', 'session_jwt', 'session_token', 'status_code'],
      'exactly the fields of the SDK type (verdict only with an authorization_check)')
    t.same(nullPaths(response), [], 'no null anywhere')
  }
})

t.test('magic-link authenticate: member_id present, mfa_required / primary_required absent rather than null', async (t) => {
  const h = await startHarness(t)
  const response = await login(h, 'viewer@acme.test')
  t.match(response, { member_id: /^member-test-/, organization_id: /^organization-test-/, member_authenticated: true, intermediate_session_token: '' })
  t.notOk('mfa_required' in response, 'mfa_required is absent')
  t.notOk('primary_required' in response, 'primary_required is absent')
  t.same(nullPaths(response), [], 'no null anywhere')
})

t.test('sessions.exchange: member_id present, optional fields absent', async (t) => {
  const h = await startHarness(t)
  const globex = await orgId(h, 'globex')
  await h.client.organizations.members.create({ organization_id: globex, email_address: 'admin@acme.test' })
  const source = await login(h, 'admin@acme.test')
  const response = await h.client.sessions.exchange({ organization_id: globex, session_token: source.session_token })
  t.equal(response.member.organization_id, globex)
  t.equal(response.member_id, response.member.member_id, 'top-level member_id (B2BSessionsExchangeResponse has it)')
  t.notOk('mfa_required' in response, 'mfa_required is absent')
  t.notOk('primary_required' in response, 'primary_required is absent')
  t.same(nullPaths(response), [], 'no null anywhere')
})

t.test('members and organizations: no nulls in get / search / create responses', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const responses = [
    await h.client.organizations.get({ organization_id: acme }),
    await h.client.organizations.search({}),
    await h.client.organizations.members.get({ organization_id: acme, email_address: 'admin@acme.test' }),
    await h.client.organizations.members.search({ organization_ids: [acme] }),
    await h.client.organizations.members.create({ organization_id: acme, email_address: 'new@acme.test' }),
    await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'invitee@acme.test' })
  ]
  for (const response of responses) t.same(nullPaths(response), [], 'no null anywhere')
  const search = responses[3] as Awaited<ReturnType<typeof h.client.organizations.members.search>>
  t.notOk('next_cursor' in search.results_metadata, 'next_cursor absent on the last page')
})

t.test('sso.getConnections answers empty saml / oidc / external lists', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const response = await h.client.sso.getConnections({ organization_id: acme })
  t.match(response, { status_code: 200, request_id: /\S/ })
  t.same([response.saml_connections, response.oidc_connections, response.external_connections], [[], [], []])
  t.same((await h.client.sso.getConnections({ organization_id: 'acme' })).saml_connections, [], 'a slug works too')
  await rejectsStytch(t, h.client.sso.getConnections({ organization_id: 'organization-test-missing' }),
    { status_code: 404, error_type: 'organization_not_found' })

  const admin = await login(h, 'admin@acme.test')
  const viewer = await login(h, 'viewer@acme.test')
  const asAdmin = await h.client.sso.getConnections({ organization_id: acme }, { authorization: { session_token: admin.session_token } })
  t.same(asAdmin.external_connections, [], 'an admin session may list (stytch.sso get)')
  await rejectsStytch(t, h.client.sso.getConnections({ organization_id: acme }, { authorization: { session_jwt: viewer.session_jwt } }),
    { status_code: 403, error_type: 'session_authorization_error' }, 'a viewer session has no stytch.sso get')
  const globex = await orgId(h, 'globex')
  await rejectsStytch(t, h.client.sso.getConnections({ organization_id: globex }, { authorization: { session_token: admin.session_token } }),
    { status_code: 403, error_type: 'session_authorization_tenancy_error' }, 'another organization')
})
