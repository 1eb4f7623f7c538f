// Session headers on management calls (reference §8.5) beyond authorization-headers.test.ts: both
// headers at once, and member creation by a member (members.create, invite) with trusted metadata or
// for another organization, through the real SDK.
import t from 'tap'
import { login, orgId, rejectsStytch, startHarness } from './helper.js'

t.test('both session headers must name the same session', async (t) => {
  const h = await startHarness(t)
  const first = await login(h, 'viewer@acme.test')
  const second = await login(h, 'viewer@acme.test')
  t.not(first.member_session?.member_session_id, second.member_session?.member_session_id, 'two sessions of one member')
  const self = { organization_id: first.organization_id, member_id: first.member_id }
  await rejectsStytch(t, h.client.organizations.members.update({ ...self, name: 'Mixed' }, { authorization: { session_token: first.session_token, session_jwt: second.session_jwt } }),
    { status_code: 404, error_type: 'session_not_found' }, 'a token and a JWT of two sessions')
  t.equal((await h.client.organizations.members.get(self)).member.name, 'Acme Viewer', 'nothing applied')
  const both = await h.client.organizations.members.update({ ...self, name: 'Vera' }, { authorization: { session_token: first.session_token, session_jwt: first.session_jwt } })
  t.equal(both.member.name, 'Vera', 'the token and the JWT of one session')
})

t.test('creating members as a member: never with trusted_metadata, never in another organization', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  const asAdmin = { authorization: { session_token: (await login(h, 'admin@acme.test')).session_token } }
  const TRUSTED = { status_code: 401, error_type: 'cannot_update_trusted_metadata' }
  await rejectsStytch(t, h.client.organizations.members.create({ organization_id: acme, email_address: 'new@acme.test', trusted_metadata: { tier: 'gold' } }, asAdmin),
    TRUSTED, 'members.create')
  await rejectsStytch(t, h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'guest@partner.test', trusted_metadata: { tier: 'gold' } }, asAdmin),
    TRUSTED, 'invite')
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: acme, email_address: 'new@acme.test' }),
    { status_code: 404, error_type: 'member_not_found' }, 'nothing was created')
  await rejectsStytch(t, h.client.organizations.members.create({ organization_id: globex, email_address: 'new@globex.test' }, asAdmin),
    { status_code: 403, error_type: 'session_authorization_tenancy_error' }, 'an admin of another organization')
  const created = await h.client.organizations.members.create({ organization_id: acme, email_address: 'new@acme.test', untrusted_metadata: { theme: 'dark' } }, asAdmin)
  t.match(created.member, { email_address: 'new@acme.test', untrusted_metadata: { theme: 'dark' } }, 'untrusted metadata is fine')
})
