// Members endpoints (reference §3 rows 17–23, §4.2, §9.2) through the real SDK, without session headers
// (those are in authorization-headers.test.ts).
import t from 'tap'
import { login, memberId, must, orgId, rejectsStytch, RFC3339, startHarness } from './helper.js'

t.test('members.create returns an active member with the documented defaults', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const res = await h.client.organizations.members.create({ organization_id: acme, email_address: 'New.Person@ACME.test' })
  t.equal(res.status_code, 200)
  t.equal(res.member_id, res.member.member_id)
  t.equal(res.organization.organization_id, acme)
  t.match(res.member, {
    organization_id: acme,
    member_id: /\S/,
    email_address: 'new.person@acme.test',
    status: 'active',
    name: '',
    is_breakglass: false,
    is_admin: false,
    email_address_verified: false,
    mfa_enrolled: false,
    sso_registrations: [],
    oauth_registrations: [],
    retired_email_addresses: [],
    trusted_metadata: {},
    untrusted_metadata: {}
  })
  t.match(res.member.created_at, RFC3339)
  t.same(res.member.roles.map((r) => r.role_id), ['stytch_member'], 'every member has stytch_member (§8.3)')
})

t.test('members.create with roles, metadata and pending status', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const { member } = await h.client.organizations.members.create({
    organization_id: acme,
    email_address: 'boss@acme.test',
    name: 'The Boss',
    roles: ['stytch_admin', 'editor'],
    trusted_metadata: { employee_id: 7 },
    untrusted_metadata: { theme: 'dark' },
    create_member_as_pending: true
  })
  t.equal(member.status, 'pending')
  t.equal(member.name, 'The Boss')
  t.equal(member.is_admin, true, 'is_admin iff stytch_admin')
  t.same(member.trusted_metadata, { employee_id: 7 })
  t.same(member.untrusted_metadata, { theme: 'dark' })
  const roles = Object.fromEntries(member.roles.map((r) => [r.role_id, r.sources.map((s) => s.type)]))
  t.same(Object.keys(roles).sort(), ['editor', 'stytch_admin', 'stytch_member'])
  t.same(roles.editor, ['direct_assignment'])
  t.same(roles.stytch_admin, ['direct_assignment'])
})

t.test('members.create enforces per-org email uniqueness and email format', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  await rejectsStytch(t, h.client.organizations.members.create({ organization_id: acme, email_address: 'editor@acme.test' }),
    { status_code: 400, error_type: 'duplicate_member_email' })
  await rejectsStytch(t, h.client.organizations.members.create({ organization_id: acme, email_address: 'EDITOR@acme.test' }),
    { status_code: 400, error_type: 'duplicate_member_email' }, 'case-insensitive')
  await rejectsStytch(t, h.client.organizations.members.create({ organization_id: acme, email_address: 'not-an-email' }),
    { status_code: 400, error_type: 'invalid_email' })
  await rejectsStytch(t, h.client.organizations.members.create({ organization_id: 'organization-test-missing', email_address: 'a@acme.test' }),
    { status_code: 404, error_type: 'organization_not_found' })
  const other = await h.client.organizations.members.create({ organization_id: globex, email_address: 'editor@acme.test' })
  t.equal(other.member.organization_id, globex, 'the same email may be a member of another org')
})

t.test('members.get by member_id or email_address, 404 when unknown or in another org', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  const byEmail = await h.client.organizations.members.get({ organization_id: acme, email_address: 'viewer@acme.test' })
  t.equal(byEmail.status_code, 200)
  t.match(byEmail.member, { email_address: 'viewer@acme.test', name: 'Acme Viewer', status: 'active', organization_id: acme })
  t.same(byEmail.member.roles.map((r) => r.role_id).sort(), ['stytch_member', 'viewer'])
  t.equal(byEmail.organization.organization_slug, 'acme')
  const byId = await h.client.organizations.members.get({ organization_id: acme, member_id: byEmail.member_id })
  t.same(byId.member, byEmail.member)
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: acme, member_id: 'member-test-missing' }),
    { status_code: 404, error_type: 'member_not_found' })
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: acme, email_address: 'nobody@acme.test' }),
    { status_code: 404, error_type: 'member_not_found' })
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: globex, member_id: byEmail.member_id }),
    { status_code: 404, error_type: 'member_not_found' }, 'member of another org')
})

t.test('members.update merges metadata at the top level and replaces roles', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const id = await memberId(h, acme, 'viewer@acme.test')
  const first = await h.client.organizations.members.update({
    organization_id: acme,
    member_id: id,
    name: 'Vera Viewer',
    untrusted_metadata: { theme: 'dark', lang: 'en', layout: { sidebar: true, density: 'compact' } }
  })
  t.equal(first.status_code, 200)
  t.equal(first.member_id, id)
  t.equal(first.member.name, 'Vera Viewer')
  const second = await h.client.organizations.members.update({
    organization_id: acme,
    member_id: id,
    untrusted_metadata: { lang: null, tz: 'UTC', layout: { sidebar: false } },
    trusted_metadata: { tier: 'gold' }
  })
  t.same(second.member.untrusted_metadata, { theme: 'dark', tz: 'UTC', layout: { sidebar: false } },
    'new keys added, null deletes, nested objects replaced wholesale (§9.2)')
  t.same(second.member.trusted_metadata, { tier: 'gold' })
  t.equal(second.member.name, 'Vera Viewer', 'absent fields untouched')

  const promoted = await h.client.organizations.members.update({ organization_id: acme, member_id: id, roles: ['editor'] })
  t.same(promoted.member.roles.map((r) => r.role_id).sort(), ['editor', 'stytch_member'], 'roles replace explicit roles; stytch_member stays')
  t.equal(promoted.member.is_admin, false)
  const admin = await h.client.organizations.members.update({ organization_id: acme, member_id: id, roles: ['stytch_admin'] })
  t.equal(admin.member.is_admin, true)
})

t.test('members.update enforces metadata limits and unknown members', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const id = await memberId(h, acme, 'editor@acme.test')
  const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))
  const ok = await h.client.organizations.members.update({ organization_id: acme, member_id: id, untrusted_metadata: twenty })
  t.equal(Object.keys(ok.member.untrusted_metadata ?? {}).length, 20, '20 keys allowed')
  await rejectsStytch(t, h.client.organizations.members.update({ organization_id: acme, member_id: id, untrusted_metadata: { k20: 20 } }),
    { status_code: 400, error_type: 'metadata_too_many_keys' }, 'the merged result would have 21 keys')
  await rejectsStytch(t, h.client.organizations.members.update({ organization_id: acme, member_id: id, trusted_metadata: { blob: 'x'.repeat(5000) } }),
    { status_code: 400, error_type: 'metadata_too_large' })
  const after = await h.client.organizations.members.get({ organization_id: acme, member_id: id })
  t.same(after.member.untrusted_metadata, twenty, 'a rejected update changes nothing')
  await rejectsStytch(t, h.client.organizations.members.update({ organization_id: acme, member_id: 'member-test-missing', name: 'X' }),
    { status_code: 404, error_type: 'member_not_found' })
  await rejectsStytch(t, h.client.organizations.members.update({ organization_id: acme, member_id: id, email_address: 'viewer@acme.test' }),
    { status_code: 400, error_type: 'duplicate_member_email' }, 'email change onto an existing member')
})

t.test('members.delete is a soft delete; dangerouslyGet and reactivate see the member', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  // [SDK doc comment] only members with a verified email can be reactivated: a magic link verifies it.
  const id = (await login(h, 'editor@acme.test')).member_id
  const del = await h.client.organizations.members.delete({ organization_id: acme, member_id: id })
  t.equal(del.status_code, 200)
  t.equal(del.member_id, id)
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: acme, member_id: id }),
    { status_code: 404, error_type: 'member_not_found' }, 'gone from get')
  await rejectsStytch(t, h.client.organizations.members.dangerouslyGet({ member_id: id }),
    { status_code: 404, error_type: 'member_not_found' }, 'dangerouslyGet without include_deleted')
  const seen = await h.client.organizations.members.dangerouslyGet({ member_id: id, include_deleted: true })
  t.equal(seen.status_code, 200)
  t.match(seen.member, { member_id: id, status: 'deleted', email_address: 'editor@acme.test' })
  const search = await h.client.organizations.members.search({ organization_ids: [acme] })
  t.notOk(search.members.some((m) => m.member_id === id), 'gone from search')
  await rejectsStytch(t, h.client.organizations.members.delete({ organization_id: acme, member_id: id }),
    { status_code: 404, error_type: 'member_not_found' }, 'second delete')

  const back = await h.client.organizations.members.reactivate({ organization_id: acme, member_id: id })
  t.equal(back.status_code, 200)
  t.match(back.member, { member_id: id, status: 'active', email_address: 'editor@acme.test' })
  t.equal((await h.client.organizations.members.get({ organization_id: acme, member_id: id })).member.status, 'active')
  await rejectsStytch(t, h.client.organizations.members.reactivate({ organization_id: acme, member_id: id }),
    { status_code: [400, 404], error_type: 'no_deleted_member_found_for_reactivation' }, 'reactivating an active member')

  const unverified = await h.client.organizations.members.create({ organization_id: acme, email_address: 'unverified@acme.test' })
  await h.client.organizations.members.delete({ organization_id: acme, member_id: unverified.member_id })
  await rejectsStytch(t, h.client.organizations.members.reactivate({ organization_id: acme, member_id: unverified.member_id }),
    { status_code: 400, error_type: /\S/ }, 'a member without a verified email')
})

t.test('members.delete revokes the member\'s sessions', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  const alive = await h.client.sessions.authenticate({ session_token: session.session_token })
  t.equal(alive.member_session.member_id, session.member_id, 'session alive before delete')
  await h.client.organizations.members.delete({ organization_id: session.organization_id, member_id: session.member_id })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token }),
    { status_code: 404, error_type: 'session_not_found' })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_jwt: session.session_jwt }),
    { status_code: 404, error_type: 'session_not_found' }, 'by JWT')
})

t.test('dangerouslyGet works across orgs; unknown ids are 404', async (t) => {
  const h = await startHarness(t)
  const globex = await orgId(h, 'globex')
  const id = await memberId(h, globex, 'admin@globex.test')
  const res = await h.client.organizations.members.dangerouslyGet({ member_id: id })
  t.match(res.member, { member_id: id, organization_id: globex, email_address: 'admin@globex.test', status: 'active', is_admin: true })
  t.equal(res.organization.organization_slug, 'globex')
  await rejectsStytch(t, h.client.organizations.members.dangerouslyGet({ member_id: 'member-test-missing', include_deleted: true }),
    { status_code: 404, error_type: 'member_not_found' })
})

t.test('members.search lists non-deleted members with filters', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  const all = await h.client.organizations.members.search({ organization_ids: [acme] })
  t.equal(all.status_code, 200)
  t.same(all.members.map((m) => m.email_address).sort(), ['admin@acme.test', 'editor@acme.test', 'viewer@acme.test'])
  t.equal(all.results_metadata.total, 3)
  t.equal(must(all.organizations[acme], 'organizations map entry').organization_slug, 'acme')

  const both = await h.client.organizations.members.search({ organization_ids: [acme, globex] })
  t.equal(both.members.length, 4, 'several orgs')

  const byEmail = await h.client.organizations.members.search({
    organization_ids: [acme],
    query: { operator: 'AND', operands: [{ filter_name: 'member_emails', filter_value: ['editor@acme.test'] }] }
  })
  t.same(byEmail.members.map((m) => m.email_address), ['editor@acme.test'])

  const fuzzy = await h.client.organizations.members.search({
    organization_ids: [acme],
    query: { operator: 'OR', operands: [{ filter_name: 'member_email_fuzzy', filter_value: 'view' }] }
  })
  t.same(fuzzy.members.map((m) => m.email_address), ['viewer@acme.test'])

  const byStatus = await h.client.organizations.members.search({
    organization_ids: [acme],
    query: { operator: 'AND', operands: [{ filter_name: 'statuses', filter_value: ['invited'] }] }
  })
  t.same(byStatus.members, [], 'no invited members in the seed')

  await rejectsStytch(t, h.client.organizations.members.search({ organization_ids: [] }),
    { status_code: 400, error_type: /\S/ }, 'organization_ids must be non-empty')
})
