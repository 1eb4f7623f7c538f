// Organizations endpoints (reference §3 rows 12–16, §4.1, §9.1) through the real SDK.
import t from 'tap'
import { login, must, orgId, rejectsStytch, RFC3339, startHarness } from './helper.js'

t.test('organizations.create applies the documented defaults', async (t) => {
  const h = await startHarness(t)
  const res = await h.client.organizations.create({ organization_name: 'Initech', organization_slug: 'initech' })
  t.equal(res.status_code, 200)
  t.match(res.request_id, /\S/)
  const org = res.organization
  t.match(org, {
    organization_id: /\S/,
    organization_name: 'Initech',
    organization_slug: 'initech',
    organization_logo_url: '',
    trusted_metadata: {},
    // [SDK doc comment] defaults
    sso_jit_provisioning: 'ALL_ALLOWED',
    email_jit_provisioning: 'NOT_ALLOWED',
    email_invites: 'ALL_ALLOWED',
    auth_methods: 'ALL_ALLOWED',
    mfa_policy: 'OPTIONAL',
    email_allowed_domains: [],
    allowed_auth_methods: [],
    sso_active_connections: [],
    rbac_email_implicit_role_assignments: []
  })
  t.match(org.created_at, RFC3339, 'created_at is RFC 3339')
  t.not(org.organization_id, await orgId(h, 'acme'), 'ids are unique')
})

t.test('organizations.create with an auth setting defaults email_invites to NOT_ALLOWED', async (t) => {
  const h = await startHarness(t)
  const { organization } = await h.client.organizations.create({
    organization_name: 'Hooli', organization_slug: 'hooli', email_jit_provisioning: 'RESTRICTED', email_allowed_domains: ['hooli.test']
  })
  t.equal(organization.email_jit_provisioning, 'RESTRICTED')
  t.same(organization.email_allowed_domains, ['hooli.test'])
  t.equal(organization.email_invites, 'NOT_ALLOWED', '[SDK doc comment] ALL_ALLOWED only when no auth-setting fields are passed')
})

t.test('organizations.create rejects a used or malformed slug', async (t) => {
  const h = await startHarness(t)
  await rejectsStytch(t, h.client.organizations.create({ organization_name: 'Acme 2', organization_slug: 'acme' }),
    { status_code: 400, error_type: 'organization_slug_already_used' }, 'duplicate slug')
  await rejectsStytch(t, h.client.organizations.create({ organization_name: 'Bad', organization_slug: 'not a slug!' }),
    { status_code: 400, error_type: 'invalid_organization_slug' }, 'bad characters')
  await rejectsStytch(t, h.client.organizations.create({ organization_name: 'Bad', organization_slug: 'x' }),
    { status_code: 400, error_type: 'invalid_organization_slug' }, 'too short (2–128)')
  await rejectsStytch(t, h.client.organizations.create({ organization_name: '', organization_slug: 'empty-name' }),
    { status_code: 400, error_type: /\S/ }, 'empty name (1–128)')
})

t.test('organizations.get finds an org by id and by slug, 404 otherwise', async (t) => {
  const h = await startHarness(t)
  const bySlug = await h.client.organizations.get({ organization_id: 'acme' })
  t.equal(bySlug.status_code, 200)
  t.match(bySlug.organization, {
    organization_name: 'Acme',
    organization_slug: 'acme',
    email_invites: 'ALL_ALLOWED',
    email_jit_provisioning: 'RESTRICTED',
    email_allowed_domains: ['acme.test']
  }, 'seed org')
  const byId = await h.client.organizations.get({ organization_id: bySlug.organization.organization_id })
  t.same(byId.organization, bySlug.organization, 'same org by id')
  await rejectsStytch(t, h.client.organizations.get({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000' }),
    { status_code: 404, error_type: 'organization_not_found' })
  await rejectsStytch(t, h.client.organizations.get({ organization_id: 'no-such-slug' }),
    { status_code: 404, error_type: 'organization_not_found' }, 'unknown slug')
})

t.test('organizations.update changes fields and merges trusted_metadata', async (t) => {
  const h = await startHarness(t)
  const id = await orgId(h, 'globex')
  const first = await h.client.organizations.update({
    organization_id: id,
    organization_name: 'Globex Corporation',
    organization_logo_url: 'https://globex.test/logo.png',
    trusted_metadata: { plan: 'pro', seats: 10, billing: { cycle: 'monthly', currency: 'EUR' } }
  })
  t.equal(first.status_code, 200)
  t.match(first.organization, {
    organization_id: id,
    organization_name: 'Globex Corporation',
    organization_slug: 'globex',
    organization_logo_url: 'https://globex.test/logo.png'
  })
  const second = await h.client.organizations.update({
    organization_id: id,
    trusted_metadata: { seats: null, region: 'eu', billing: { cycle: 'yearly' } }
  })
  t.same(second.organization.trusted_metadata, { plan: 'pro', region: 'eu', billing: { cycle: 'yearly' } },
    'top-level merge, null deletes, nested objects replaced wholesale (§9.2)')
  t.equal(second.organization.organization_name, 'Globex Corporation', 'absent fields are untouched')
  const got = await h.client.organizations.get({ organization_id: id })
  t.same(got.organization.trusted_metadata, second.organization.trusted_metadata, 'persisted')
})

t.test('organizations.update rejects a taken slug, bad metadata and unknown orgs', async (t) => {
  const h = await startHarness(t)
  const id = await orgId(h, 'globex')
  await rejectsStytch(t, h.client.organizations.update({ organization_id: id, organization_slug: 'acme' }),
    { status_code: 400, error_type: 'organization_slug_already_used' })
  const renamed = await h.client.organizations.update({ organization_id: id, organization_slug: 'globex-2' })
  t.equal(renamed.organization.organization_slug, 'globex-2', 'a free slug is accepted')
  t.equal((await h.client.organizations.get({ organization_id: 'globex-2' })).organization.organization_id, id, 'new slug resolves')
  const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]))
  await rejectsStytch(t, h.client.organizations.update({ organization_id: id, trusted_metadata: tooMany }),
    { status_code: 400, error_type: 'metadata_too_many_keys' })
  await rejectsStytch(t, h.client.organizations.update({ organization_id: id, trusted_metadata: { blob: 'x'.repeat(5000) } }),
    { status_code: 400, error_type: 'metadata_too_large' })
  await rejectsStytch(t, h.client.organizations.update({ organization_id: 'organization-test-missing', organization_name: 'X' }),
    { status_code: 404, error_type: 'organization_not_found' })
})

t.test('organizations.delete removes the org and its members', async (t) => {
  const h = await startHarness(t)
  const id = await orgId(h, 'globex')
  const session = await login(h, 'admin@globex.test', 'globex')
  const res = await h.client.organizations.delete({ organization_id: id })
  t.equal(res.status_code, 200)
  t.equal(res.organization_id, id)
  await rejectsStytch(t, h.client.organizations.get({ organization_id: id }), { status_code: 404, error_type: 'organization_not_found' })
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: id, member_id: session.member_id }),
    { status_code: 404, error_type: /^(organization_not_found|member_not_found)$/ }, 'members go with the org')
  await rejectsStytch(t, h.client.organizations.delete({ organization_id: id }),
    { status_code: 404, error_type: 'organization_not_found' }, 'second delete')
  t.equal((await h.client.organizations.get({ organization_id: 'acme' })).organization.organization_slug, 'acme', 'other orgs untouched')
})

t.test('organizations.search filters by slug, name and member email', async (t) => {
  const h = await startHarness(t)
  const all = await h.client.organizations.search({})
  t.equal(all.status_code, 200)
  t.same(all.organizations.map((o) => o.organization_slug).sort(), ['acme', 'globex'], 'empty query → all orgs')
  t.equal(all.results_metadata.total, 2)

  const bySlug = await h.client.organizations.search({
    query: { operator: 'AND', operands: [{ filter_name: 'organization_slugs', filter_value: ['globex'] }] }
  })
  t.same(bySlug.organizations.map((o) => o.organization_slug), ['globex'])
  t.equal(bySlug.results_metadata.total, 1)

  const byEmail = await h.client.organizations.search({
    query: { operator: 'OR', operands: [{ filter_name: 'member_emails', filter_value: ['viewer@acme.test'] }] }
  })
  t.same(byEmail.organizations.map((o) => o.organization_slug), ['acme'])

  const none = await h.client.organizations.search({
    query: { operator: 'AND', operands: [{ filter_name: 'organization_name_fuzzy', filter_value: 'nothing-like-this' }] }
  })
  t.same(none.organizations, [])
  t.equal(none.results_metadata.total, 0)

  const paged = await h.client.organizations.search({ limit: 1 })
  t.equal(paged.organizations.length, 1, 'limit applies')
  t.equal(paged.results_metadata.total, 2, 'total counts every match')
  const next = must(paged.results_metadata.next_cursor, 'next_cursor on a partial page')
  const rest = await h.client.organizations.search({ limit: 1, cursor: next })
  t.not(must(rest.organizations[0], 'second page').organization_id, must(paged.organizations[0], 'first page').organization_id)

  await rejectsStytch(t, h.client.organizations.search({ limit: 'many' as unknown as number }),
    { status_code: 400, error_type: /^(invalid_argument|bad_request)$/ }, 'wrong type (§10)')
})
