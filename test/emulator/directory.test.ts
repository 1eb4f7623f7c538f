// What the organization and members-directory routes use, through the real SDK: organizations.get/update
// with a member session, allowed-domain validation, members.search operands and cursors, members.get,
// members.delete, and invite for an already-invited member (a resend).
import t from 'tap'
import { lastMessage, login, must, orgId, rejectsStytch, startHarness } from './helper.js'

const DENIED = { status_code: 403, error_type: 'session_authorization_error' }

t.test('organizations.update with a member session: admins may, members may not, other orgs never', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const admin = await login(h, 'admin@acme.test')
  const viewer = await login(h, 'viewer@acme.test')
  const globex = await login(h, 'admin@globex.test', 'globex')
  const asAdmin = { authorization: { session_token: admin.session_token } }

  const updated = await h.client.organizations.update({ organization_id: acme, organization_name: 'Acme Inc.', email_invites: 'RESTRICTED' }, asAdmin)
  t.match(updated.organization, { organization_name: 'Acme Inc.', email_invites: 'RESTRICTED' })
  await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, organization_name: 'Viewer Inc.' }, { authorization: { session_jwt: viewer.session_jwt } }), DENIED, 'viewer')
  await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, organization_name: 'Globex owns you' }, { authorization: { session_token: globex.session_token } }),
    { status_code: 403, error_type: 'session_authorization_tenancy_error' }, 'another organization\'s admin')
  await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, trusted_metadata: { plan: 'pro' } }, asAdmin),
    { status_code: 401, error_type: 'cannot_update_trusted_metadata' }, 'never trusted metadata with a session')
  t.equal((await h.client.organizations.get({ organization_id: acme })).organization.organization_name, 'Acme Inc.')
})

t.test('organizations.update: allowed domains are domains, not common providers; slugs are unique', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const ok = await h.client.organizations.update({ organization_id: acme, email_allowed_domains: [' Acme.TEST ', 'acme.test', 'eu.acme.test'] })
  t.same(ok.organization.email_allowed_domains, ['acme.test', 'eu.acme.test'], 'trimmed, lower-cased, de-duplicated')
  for (const domain of ['gmail.com', 'Outlook.com']) {
    await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, email_allowed_domains: [domain] }),
      { status_code: 400, error_type: 'invalid_email_allowed_domains' }, domain)
  }
  for (const domain of ['not a domain', 'acme', 'acme.123', '-acme.test', 'https://acme.test', '@acme.test']) {
    await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, email_allowed_domains: [domain] }),
      { status_code: 400, error_type: 'invalid_email_allowed_domains' }, JSON.stringify(domain))
  }
  t.same((await h.client.organizations.get({ organization_id: acme })).organization.email_allowed_domains, ['acme.test', 'eu.acme.test'], 'unchanged by refusals')
  await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, organization_slug: 'globex' }),
    { status_code: 400, error_type: 'organization_slug_already_used' }, 'duplicate slug')
  await rejectsStytch(t, h.client.organizations.create({ organization_name: 'Gmail fans', organization_slug: 'gmail-fans', email_allowed_domains: ['gmail.com'] }),
    { status_code: 400, error_type: 'invalid_email_allowed_domains' }, 'on create too')
})

t.test('members.search: statuses and fuzzy operands, cursors, tenancy and the search permission', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const admin = await login(h, 'admin@acme.test')
  const editor = await login(h, 'editor@acme.test')
  const globex = await login(h, 'admin@globex.test', 'globex')
  for (let i = 0; i < 4; i++) await h.client.magicLinks.email.invite({ organization_id: acme, email_address: `invitee${i}@acme.test` })
  const asAdmin = { authorization: { session_token: admin.session_token } }
  const invitedQuery = { operator: 'AND' as const, operands: [{ filter_name: 'statuses', filter_value: ['invited'] }] }

  const emails: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await h.client.organizations.members.search({ organization_ids: [acme], limit: 3, query: invitedQuery, ...(cursor === undefined ? {} : { cursor }) }, asAdmin)
    t.equal(page.results_metadata.total, 4)
    emails.push(...page.members.map((m) => m.email_address))
    cursor = page.results_metadata.next_cursor ?? undefined
    pages++
  } while (cursor !== undefined)
  t.equal(pages, 2)
  t.same(emails.sort(), ['invitee0@acme.test', 'invitee1@acme.test', 'invitee2@acme.test', 'invitee3@acme.test'])

  const fuzzy = await h.client.organizations.members.search({ organization_ids: [acme], query: { operator: 'AND', operands: [{ filter_name: 'member_email_fuzzy', filter_value: 'DIT' }] } }, asAdmin)
  t.same(fuzzy.members.map((m) => m.email_address), ['editor@acme.test'], 'substring, case-insensitive')
  await rejectsStytch(t, h.client.organizations.members.search({ organization_ids: [acme], query: { operator: 'AND', operands: [{ filter_name: 'member_email_fuzzy', filter_value: 'ed' }] } }),
    { status_code: 400, error_type: 'invalid_argument' }, 'fuzzy filters need 3 characters')
  await rejectsStytch(t, h.client.organizations.members.search({ organization_ids: [acme], cursor: '!!!' }), { status_code: 400, error_type: 'invalid_argument' }, 'bad cursor')
  await rejectsStytch(t, h.client.organizations.members.search({ organization_ids: [acme] }, { authorization: { session_token: editor.session_token } }), DENIED, 'editor: no search permission')
  await rejectsStytch(t, h.client.organizations.members.search({ organization_ids: [acme] }, { authorization: { session_token: globex.session_token } }),
    { status_code: 403, error_type: 'session_authorization_tenancy_error' }, 'another organization')
})

t.test('invite for an already-invited member is a resend: same member, fresh link; delete voids the links', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const first = await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'ann@acme.test', roles: ['editor'] })
  const firstToken = (await lastMessage(h.emu, 'ann@acme.test')).token
  const again = await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'ann@acme.test' })
  t.equal(again.member_id, first.member_id, 'the same member')
  t.equal(again.member.status, 'invited')
  t.same(again.member.roles.map((r) => r.role_id).sort(), ['editor', 'stytch_member'], 'roles kept')
  const secondToken = (await lastMessage(h.emu, 'ann@acme.test')).token
  t.not(secondToken, firstToken)

  const got = await h.client.organizations.members.get({ organization_id: acme, member_id: first.member_id })
  t.equal(got.member.status, 'invited')
  await h.client.organizations.members.delete({ organization_id: acme, member_id: first.member_id })
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: acme, member_id: first.member_id }), { status_code: 404, error_type: 'member_not_found' }, 'gone')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: secondToken }), { status_code: 401, error_type: 'unable_to_auth_magic_link' }, 'the invite link is void')
  must(first.member_id, 'member id')
})
