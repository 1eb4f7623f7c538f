// magicLinks.authenticate with a session passed along (reference §5.3), and invites of members who
// already exist or whose address the organization restricts (§5.2), through the real SDK.
// (PKCE, lifetimes and the basic flows are in magic-links*.test.ts.)
import t from 'tap'
import type { MemberSession } from 'stytch'
import { lastMessage, login, must, orgId, rejectsStytch, startHarness, type Harness } from './helper.js'

const sessionOf = (res: { member_session?: MemberSession }): MemberSession => must(res.member_session, 'member_session')

async function linkFor (h: Harness, email: string): Promise<string> {
  await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: email })
  return (await lastMessage(h.emu, email)).token
}

t.test('a session token and a session JWT together are refused, and the link is not spent', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  const token = await linkFor(h, 'viewer@acme.test')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: token, session_token: session.session_token, session_jwt: session.session_jwt }),
    { status_code: 400, error_type: 'too_many_session_arguments' })
  const ok = await h.client.magicLinks.authenticate({ magic_links_token: token })
  t.equal(ok.member.email_address, 'viewer@acme.test', 'the link still works')
})

t.test('the member\'s session passed by JWT is reused: one magic-link factor, its custom claims kept and merged', async (t) => {
  const h = await startHarness(t)
  const first = await login(h, 'viewer@acme.test', 'acme', { session_custom_claims: { theme: 'dark', lang: 'en' } })
  const token = await linkFor(h, 'viewer@acme.test')
  const again = await h.client.magicLinks.authenticate({ magic_links_token: token, session_jwt: first.session_jwt, session_custom_claims: { lang: 'fr' } })
  t.equal(sessionOf(again).member_session_id, sessionOf(first).member_session_id, 'the same session')
  t.same(sessionOf(again).custom_claims, { theme: 'dark', lang: 'fr' }, 'the claims of the session, merged with the new ones')
  t.equal(sessionOf(again).authentication_factors.filter((f) => f.type === 'magic_link' && f.delivery_method === 'email').length, 1,
    'the email magic-link factor is replaced, not repeated')
  t.ok(Date.parse(sessionOf(again).expires_at) >= Date.parse(sessionOf(first).expires_at), 'the expiry is renewed')
})

t.test('a session that cannot be reused is ignored: a new session starts, no error', async (t) => {
  const h = await startHarness(t)
  const viewer = await login(h, 'viewer@acme.test')
  const editor = await login(h, 'editor@acme.test')
  await h.client.sessions.revoke({ session_token: viewer.session_token })
  const [header, payload] = editor.session_jwt.split('.')
  const cases: Array<[string, { session_token?: string, session_jwt?: string }]> = [
    ['an unknown session token', { session_token: 'q'.repeat(44) }],
    ['a revoked session of the member', { session_token: viewer.session_token }],
    ['a JWT with a bad signature', { session_jwt: `${header ?? ''}.${payload ?? ''}.AAAA` }],
    ['another member\'s session JWT', { session_jwt: editor.session_jwt }]
  ]
  const seen = new Set([sessionOf(viewer).member_session_id, sessionOf(editor).member_session_id])
  for (const [label, selector] of cases) {
    const res = await h.client.magicLinks.authenticate({ magic_links_token: await linkFor(h, 'viewer@acme.test'), ...selector })
    t.equal(res.member.email_address, 'viewer@acme.test', `${label}: logged in`)
    t.notOk(seen.has(sessionOf(res).member_session_id), `${label}: a new session`)
    seen.add(sessionOf(res).member_session_id)
  }
  const live = await h.client.sessions.authenticate({ session_token: editor.session_token })
  t.equal(live.member_session.member_session_id, sessionOf(editor).member_session_id, 'the other member\'s session is untouched')
})

t.test('re-inviting a pending or invited member: invited, with the new fields merged, and a fresh link', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const { member } = await h.client.organizations.members.create({
    organization_id: acme, email_address: 'pending@partner.test', create_member_as_pending: true, name: 'Pat', trusted_metadata: { tier: 'free' }, untrusted_metadata: { theme: 'dark' }
  })
  t.equal(member.status, 'pending')
  const invited = await h.client.magicLinks.email.invite({
    organization_id: acme, email_address: 'pending@partner.test', name: 'Patricia', roles: ['editor'], trusted_metadata: { seats: 3 }, untrusted_metadata: { lang: 'fr' }
  })
  t.equal(invited.member_id, member.member_id, 'the same member')
  t.match(invited.member, { status: 'invited', name: 'Patricia', trusted_metadata: { tier: 'free', seats: 3 }, untrusted_metadata: { theme: 'dark', lang: 'fr' } })
  t.ok(invited.member.roles.some((r) => r.role_id === 'editor'))
  const firstLink = (await lastMessage(h.emu, 'pending@partner.test')).token

  const again = await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'pending@partner.test' })
  t.match(again.member, { status: 'invited', name: 'Patricia', trusted_metadata: { tier: 'free', seats: 3 } }, 'a bare re-invite keeps every field')
  t.ok(again.member.roles.some((r) => r.role_id === 'editor'), 'and the roles')
  const secondLink = (await lastMessage(h.emu, 'pending@partner.test')).token
  t.not(secondLink, firstLink, 'a fresh link')
  const auth = await h.client.magicLinks.authenticate({ magic_links_token: secondLink })
  t.equal(auth.member.status, 'active')
})

t.test('email_invites RESTRICTED: only addresses of the allowed domains can be invited', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  await h.client.organizations.update({ organization_id: acme, email_invites: 'RESTRICTED' })
  await rejectsStytch(t, h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'guest@partner.test' }),
    { status_code: 400, error_type: 'invalid_email_for_invites' }, 'outside email_allowed_domains')
  const ok = await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'New.Hire@ACME.test' })
  t.match(ok.member, { email_address: 'new.hire@acme.test', status: 'invited' }, 'inside them (case-insensitive)')
  await h.client.organizations.update({ organization_id: acme, email_invites: 'NOT_ALLOWED' })
  await rejectsStytch(t, h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'other@acme.test' }),
    { status_code: 400, error_type: 'invalid_email_for_invites', error_message: 'This organization does not allow invites.' }, 'NOT_ALLOWED')
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: acme, email_address: 'other@acme.test' }),
    { status_code: 404, error_type: 'member_not_found' }, 'a refused invite creates no member')
})
