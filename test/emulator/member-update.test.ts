// members.update (reference §9.2) field by field through the real SDK: the MFA and breakglass
// settings, external ids (set, unique, cleared), email changes (re-verification, retired addresses,
// a no-op to the same address), and the session-header rules of the fields (§8.5).
import t from 'tap'
import { login, memberId, orgId, rejectsStytch, startHarness } from './helper.js'

t.test('breakglass, MFA phone, MFA enrolment and the default MFA method are stored and returned', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const id = await memberId(h, acme, 'editor@acme.test')
  const before = (await h.client.organizations.members.get({ organization_id: acme, member_id: id })).member
  t.match(before, { is_breakglass: false, mfa_phone_number: '', mfa_enrolled: false, default_mfa_method: '' }, 'the defaults')
  const { member } = await h.client.organizations.members.update({
    organization_id: acme,
    member_id: id,
    is_breakglass: true,
    mfa_phone_number: '+15555550123',
    mfa_enrolled: true,
    default_mfa_method: 'sms_otp'
  })
  t.match(member, { is_breakglass: true, mfa_phone_number: '+15555550123', mfa_enrolled: true, default_mfa_method: 'sms_otp', name: 'Acme Editor' })
  const again = (await h.client.organizations.members.get({ organization_id: acme, member_id: id })).member
  t.match(again, { is_breakglass: true, mfa_phone_number: '+15555550123', mfa_enrolled: true, default_mfa_method: 'sms_otp' }, 'stored')
  const off = await h.client.organizations.members.update({ organization_id: acme, member_id: id, is_breakglass: false, mfa_enrolled: false })
  t.match(off.member, { is_breakglass: false, mfa_enrolled: false, mfa_phone_number: '+15555550123' }, 'false is a value, not "absent"')
})

t.test('external_id: set, usable as the member id, unique in the organization, cleared with ""', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  const editor = await memberId(h, acme, 'editor@acme.test')
  const viewer = await memberId(h, acme, 'viewer@acme.test')
  const set = await h.client.organizations.members.update({ organization_id: acme, member_id: editor, external_id: 'hr-1001' })
  t.equal(set.member.external_id, 'hr-1001')
  t.equal((await h.client.organizations.members.get({ organization_id: acme, member_id: 'hr-1001' })).member.member_id, editor,
    'the external id finds the member')
  const same = await h.client.organizations.members.update({ organization_id: acme, member_id: editor, external_id: 'hr-1001' })
  t.equal(same.member.external_id, 'hr-1001', 'a member may keep its own external id')
  await rejectsStytch(t, h.client.organizations.members.update({ organization_id: acme, member_id: viewer, external_id: 'hr-1001', name: 'Not applied' }),
    { status_code: 400, error_type: 'duplicate_member_external_id' }, 'another member of the same organization')
  t.equal((await h.client.organizations.members.get({ organization_id: acme, member_id: viewer })).member.name, 'Acme Viewer', 'nothing applied')
  const globexAdmin = await memberId(h, globex, 'admin@globex.test')
  t.equal((await h.client.organizations.members.update({ organization_id: globex, member_id: globexAdmin, external_id: 'hr-1001' })).member.external_id,
    'hr-1001', 'unique per organization only')

  const cleared = await h.client.organizations.members.update({ organization_id: acme, member_id: editor, external_id: '' })
  t.notOk(cleared.member.external_id, 'cleared')
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: acme, member_id: 'hr-1001' }),
    { status_code: 404, error_type: 'member_not_found' }, 'the old external id no longer finds anyone')
  t.equal((await h.client.organizations.members.update({ organization_id: acme, member_id: viewer, external_id: 'hr-1001' })).member.external_id,
    'hr-1001', 'and is free for another member')
})

t.test('email changes: unverified again, the old address retired unless unlink_email; the same address is a no-op', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const editor = await memberId(h, acme, 'editor@acme.test')
  await login(h, 'editor@acme.test') // verifies the address
  t.equal((await h.client.organizations.members.get({ organization_id: acme, member_id: editor })).member.email_address_verified, true)

  const same = await h.client.organizations.members.update({ organization_id: acme, member_id: editor, email_address: ' Editor@ACME.test ' })
  t.match(same.member, { email_address: 'editor@acme.test', email_address_verified: true, retired_email_addresses: [] },
    'the same address after normalization changes nothing')

  const moved = await h.client.organizations.members.update({ organization_id: acme, member_id: editor, email_address: 'Eddie@acme.test' })
  t.match(moved.member, { email_address: 'eddie@acme.test', email_address_verified: false })
  t.same(moved.member.retired_email_addresses.map((r) => r.email_address), ['editor@acme.test'], 'the old address is retired')

  const unlinked = await h.client.organizations.members.update({ organization_id: acme, member_id: editor, email_address: 'ed@acme.test', unlink_email: true })
  t.equal(unlinked.member.email_address, 'ed@acme.test')
  t.same(unlinked.member.retired_email_addresses.map((r) => r.email_address), ['editor@acme.test'], 'unlink_email: eddie@ is not retired')
  t.equal((await h.client.organizations.members.get({ organization_id: acme, email_address: 'ed@acme.test' })).member.member_id, editor)
})

t.test('with a session header: external_id is refused even to an admin; Basic auth alone may set it', async (t) => {
  const h = await startHarness(t)
  const admin = await login(h, 'admin@acme.test')
  const viewer = await memberId(h, admin.organization_id, 'viewer@acme.test')
  await rejectsStytch(t, h.client.organizations.members.update({ organization_id: admin.organization_id, member_id: viewer, external_id: 'hr-7' },
    { authorization: { session_token: admin.session_token } }), { status_code: 403, error_type: 'session_authorization_error' }, 'admin with a session header')
  await rejectsStytch(t, h.client.organizations.members.update({ organization_id: admin.organization_id, member_id: admin.member_id, external_id: 'hr-7' },
    { authorization: { session_token: admin.session_token } }), { status_code: 403, error_type: 'session_authorization_error' }, 'even on their own record')
  const plain = await h.client.organizations.members.update({ organization_id: admin.organization_id, member_id: viewer, external_id: 'hr-7' })
  t.equal(plain.member.external_id, 'hr-7')
})

t.test('with a session header: MFA fields are self-service, breakglass is not', async (t) => {
  const h = await startHarness(t)
  const viewer = await login(h, 'viewer@acme.test')
  const asViewer = { authorization: { session_jwt: viewer.session_jwt } }
  const self = { organization_id: viewer.organization_id, member_id: viewer.member_id }
  const own = await h.client.organizations.members.update({ ...self, mfa_phone_number: '+15555550188', mfa_enrolled: true, default_mfa_method: 'totp' }, asViewer)
  t.match(own.member, { mfa_phone_number: '+15555550188', mfa_enrolled: true, default_mfa_method: 'totp' }, 'stytch.self covers the member\'s MFA settings')
  await rejectsStytch(t, h.client.organizations.members.update({ ...self, is_breakglass: true }, asViewer),
    { status_code: 403, error_type: 'session_authorization_error' }, 'breakglass needs stytch.member')
  const editor = await memberId(h, viewer.organization_id, 'editor@acme.test')
  await rejectsStytch(t, h.client.organizations.members.update({ organization_id: viewer.organization_id, member_id: editor, mfa_enrolled: true }, asViewer),
    { status_code: 403, error_type: 'session_authorization_error' }, 'another member\'s MFA settings need stytch.member')
})
