// Acting as a member: X-Stytch-Member-Session / X-Stytch-Member-SessionJWT on management endpoints
// (reference §1.2, §8.5). stytch.self covers a member's own record; stytch.member is needed for others'.
import t from 'tap'
import { login, memberId, orgId, rejectsStytch, startHarness } from './helper.js'

const DENIED = { status_code: 403, error_type: 'session_authorization_error' }
// §8.5: trusted_metadata is never allowed with a session header; the error type is not confirmed.
const TRUSTED_METADATA = { status_code: [400, 401, 403], error_type: /^(session_authorization_error|cannot_update_trusted_metadata|unauthorized_action)$/ }

t.test('a member updates their own name and untrusted_metadata (stytch.self)', async (t) => {
  const h = await startHarness(t)
  const viewer = await login(h, 'viewer@acme.test')
  const byToken = await h.client.organizations.members.update(
    { organization_id: viewer.organization_id, member_id: viewer.member_id, name: 'Vera', untrusted_metadata: { theme: 'dark' } },
    { authorization: { session_token: viewer.session_token } })
  t.equal(byToken.status_code, 200)
  t.match(byToken.member, { name: 'Vera', untrusted_metadata: { theme: 'dark' } })
  const byJwt = await h.client.organizations.members.update(
    { organization_id: viewer.organization_id, member_id: viewer.member_id, untrusted_metadata: { lang: 'fr' } },
    { authorization: { session_jwt: viewer.session_jwt } })
  t.same(byJwt.member.untrusted_metadata, { theme: 'dark', lang: 'fr' }, 'the JWT header works too')
})

t.test('a member cannot update another member\'s record without stytch.member; an admin can', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const editorId = await memberId(h, acme, 'editor@acme.test')
  const viewer = await login(h, 'viewer@acme.test')
  const admin = await login(h, 'admin@acme.test')
  await rejectsStytch(t, h.client.organizations.members.update(
    { organization_id: acme, member_id: editorId, name: 'Hacked' }, { authorization: { session_token: viewer.session_token } }), DENIED, 'name')
  await rejectsStytch(t, h.client.organizations.members.update(
    { organization_id: acme, member_id: editorId, untrusted_metadata: { x: 1 } }, { authorization: { session_jwt: viewer.session_jwt } }), DENIED, 'metadata by JWT')
  t.equal((await h.client.organizations.members.get({ organization_id: acme, member_id: editorId })).member.name, 'Acme Editor', 'unchanged')

  const ok = await h.client.organizations.members.update(
    { organization_id: acme, member_id: editorId, name: 'Eddie', untrusted_metadata: { team: 'docs' }, roles: ['editor', 'viewer'] },
    { authorization: { session_token: admin.session_token } })
  t.match(ok.member, { name: 'Eddie', untrusted_metadata: { team: 'docs' } }, 'stytch_admin has stytch.member')
  t.same(ok.member.roles.map((r) => r.role_id).sort(), ['editor', 'stytch_member', 'viewer'])
  const moved = await h.client.organizations.members.update(
    { organization_id: acme, member_id: editorId, email_address: 'eddie@acme.test' }, { authorization: { session_token: admin.session_token } })
  t.equal(moved.member.email_address, 'eddie@acme.test', 'update.info.email on stytch.member')
  await rejectsStytch(t, h.client.organizations.members.update(
    { organization_id: acme, member_id: admin.member_id, email_address: 'boss@acme.test' }, { authorization: { session_token: admin.session_token } }),
  { status_code: [400, 403], error_type: 'member_cannot_update_their_email_address' }, 'members never change their own email (§8.5)')
})

t.test('self-service stops at stytch.member-only fields', async (t) => {
  const h = await startHarness(t)
  const viewer = await login(h, 'viewer@acme.test')
  const asViewer = { authorization: { session_token: viewer.session_token } }
  const self = { organization_id: viewer.organization_id, member_id: viewer.member_id }
  await rejectsStytch(t, h.client.organizations.members.update({ ...self, roles: ['stytch_admin'] }, asViewer), DENIED, 'own roles')
  await rejectsStytch(t, h.client.organizations.members.update({ ...self, is_breakglass: true }, asViewer), DENIED, 'own breakglass')
  await rejectsStytch(t, h.client.organizations.members.update({ ...self, name: 'Fine', roles: ['editor'] }, asViewer), DENIED, 'one bad field fails the request')
  await rejectsStytch(t, h.client.organizations.members.update({ ...self, email_address: 'vera@acme.test' }, asViewer),
    { status_code: [400, 403], error_type: /^(member_cannot_update_their_email_address|session_authorization_error)$/ }, 'own email')
  const after = await h.client.organizations.members.get(self)
  t.equal(after.member.name, 'Acme Viewer', 'nothing applied from the rejected request')
  t.same(after.member.roles.map((r) => r.role_id).sort(), ['stytch_member', 'viewer'])
})

t.test('trusted_metadata is never allowed with a session header', async (t) => {
  const h = await startHarness(t)
  const viewer = await login(h, 'viewer@acme.test')
  const admin = await login(h, 'admin@acme.test')
  await rejectsStytch(t, h.client.organizations.members.update(
    { organization_id: viewer.organization_id, member_id: viewer.member_id, trusted_metadata: { tier: 'gold' } },
    { authorization: { session_token: viewer.session_token } }), TRUSTED_METADATA, 'own record')
  await rejectsStytch(t, h.client.organizations.members.update(
    { organization_id: viewer.organization_id, member_id: viewer.member_id, trusted_metadata: { tier: 'gold' } },
    { authorization: { session_token: admin.session_token } }), TRUSTED_METADATA, 'even as admin')
  await rejectsStytch(t, h.client.organizations.update(
    { organization_id: admin.organization_id, trusted_metadata: { plan: 'pro' } },
    { authorization: { session_token: admin.session_token } }), TRUSTED_METADATA, 'organization trusted_metadata')
  const plain = await h.client.organizations.members.update(
    { organization_id: viewer.organization_id, member_id: viewer.member_id, trusted_metadata: { tier: 'gold' } })
  t.same(plain.member.trusted_metadata, { tier: 'gold' }, 'Basic auth alone may set it')
})

t.test('bad or foreign session headers', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const viewerId = await memberId(h, acme, 'viewer@acme.test')
  const globexAdmin = await login(h, 'admin@globex.test', 'globex')
  await rejectsStytch(t, h.client.organizations.members.update(
    { organization_id: acme, member_id: viewerId, name: 'X' }, { authorization: { session_token: 'kq0Z4cVwW9n8nA0Yk1pQ7m3sR5tU6vX8yZ0aB2cD4eF6' } }),
  { status_code: 404, error_type: 'session_not_found' }, 'unknown session')
  await rejectsStytch(t, h.client.organizations.members.update(
    { organization_id: acme, member_id: viewerId, name: 'X' }, { authorization: { session_token: globexAdmin.session_token } }),
  { status_code: 403, error_type: 'session_authorization_tenancy_error' }, 'an admin of another org')
  await h.client.sessions.revoke({ session_token: globexAdmin.session_token })
  await rejectsStytch(t, h.client.organizations.update(
    { organization_id: globexAdmin.organization_id, organization_name: 'X' }, { authorization: { session_token: globexAdmin.session_token } }),
  { status_code: 404, error_type: 'session_not_found' }, 'a revoked session')
})

t.test('members.create, invite, delete and search need stytch.member rights', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const editorId = await memberId(h, acme, 'editor@acme.test')
  const asViewer = { authorization: { session_token: (await login(h, 'viewer@acme.test')).session_token } }
  const asAdmin = { authorization: { session_jwt: (await login(h, 'admin@acme.test')).session_jwt } }

  await rejectsStytch(t, h.client.organizations.members.create({ organization_id: acme, email_address: 'a@acme.test' }, asViewer), DENIED, 'create')
  t.equal((await h.client.organizations.members.create({ organization_id: acme, email_address: 'a@acme.test' }, asAdmin)).member.status, 'active')

  await rejectsStytch(t, h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'b@partner.test' }, asViewer), DENIED, 'invite')
  t.equal((await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'b@partner.test' }, asAdmin)).member.status, 'invited')

  await rejectsStytch(t, h.client.organizations.members.search({ organization_ids: [acme] }, asViewer), DENIED, 'search')
  const found = await h.client.organizations.members.search({ organization_ids: [acme] }, asAdmin)
  t.same(found.members.map((m) => m.email_address).sort(),
    ['a@acme.test', 'admin@acme.test', 'b@partner.test', 'editor@acme.test', 'viewer@acme.test'], 'every non-deleted member, invited included')

  await rejectsStytch(t, h.client.organizations.members.delete({ organization_id: acme, member_id: editorId }, asViewer), DENIED, 'delete')
  t.equal((await h.client.organizations.members.delete({ organization_id: acme, member_id: editorId }, asAdmin)).member_id, editorId)
})

t.test('sessions.revoke by member_id: self allowed, others need stytch.member', async (t) => {
  const h = await startHarness(t)
  const viewer = await login(h, 'viewer@acme.test')
  const editor = await login(h, 'editor@acme.test')
  const admin = await login(h, 'admin@acme.test')
  await rejectsStytch(t, h.client.sessions.revoke({ member_id: editor.member_id }, { authorization: { session_token: viewer.session_token } }), DENIED)
  t.ok(await h.client.sessions.authenticate({ session_token: editor.session_token }), 'editor still signed in')
  const other = await login(h, 'viewer@acme.test')
  const own = await h.client.sessions.revoke({ member_id: viewer.member_id }, { authorization: { session_token: other.session_token } })
  t.equal(own.status_code, 200, 'revoke-sessions on stytch.self')
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: viewer.session_token }), { status_code: 404, error_type: 'session_not_found' })
  await h.client.sessions.revoke({ member_id: editor.member_id }, { authorization: { session_token: admin.session_token } })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: editor.session_token }), { status_code: 404, error_type: 'session_not_found' })
})

t.test('organizations.update and delete need stytch.organization rights', async (t) => {
  const h = await startHarness(t)
  const viewer = await login(h, 'viewer@acme.test')
  const admin = await login(h, 'admin@acme.test')
  const acme = viewer.organization_id
  await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, organization_name: 'Pwned' },
    { authorization: { session_token: viewer.session_token } }), DENIED, 'update name')
  const ok = await h.client.organizations.update({ organization_id: acme, organization_name: 'Acme Inc' },
    { authorization: { session_token: admin.session_token } })
  t.equal(ok.organization.organization_name, 'Acme Inc')
  await rejectsStytch(t, h.client.organizations.delete({ organization_id: acme }, { authorization: { session_jwt: viewer.session_jwt } }), DENIED, 'delete')
  t.equal((await h.client.organizations.get({ organization_id: acme })).organization.organization_name, 'Acme Inc', 'still there')
})
