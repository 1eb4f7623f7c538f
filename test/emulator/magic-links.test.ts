// Email magic links (reference §3 rows 1–3, §5) through the real SDK, with the outbox standing in for email.
import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { lastMessage, memberId, msFrom, orgId, outbox, rejectsStytch, RFC3339, setClockOffset, startHarness } from './helper.js'

const DEFAULT_REDIRECT = 'http://127.0.0.1:3000/v1/auth/magic-links/callback'
const USED_OR_EXPIRED = { status_code: 401, error_type: 'unable_to_auth_magic_link' }

t.test('login_or_signup for an active member sends a login link', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const res = await h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'editor@acme.test' })
  t.equal(res.status_code, 200)
  t.equal(res.member_created, false)
  t.match(res.member, { member_id: res.member_id, email_address: 'editor@acme.test', status: 'active' })
  t.equal(res.organization.organization_id, acme)
  const messages = await outbox(h.emu, 'editor@acme.test')
  t.equal(messages.length, 1, 'one message in the outbox')
  const message = await lastMessage(h.emu, 'editor@acme.test')
  t.match(message, {
    email_address: 'editor@acme.test',
    type: 'login',
    organization_id: acme,
    organization_slug: 'acme',
    member_id: res.member_id,
    redirect_url: DEFAULT_REDIRECT,
    token: /^[A-Za-z0-9_-]{20,}$/,
    sent_at: RFC3339
  })
  const link = new URL(message.link)
  t.equal(`${link.origin}${link.pathname}`, DEFAULT_REDIRECT, 'link targets the redirect URL')
  t.equal(link.searchParams.get('stytch_token_type'), 'multi_tenant_magic_links')
  t.equal(link.searchParams.get('token'), message.token)
})

t.test('login_or_signup honours login_redirect_url and slugs', async (t) => {
  const h = await startHarness(t)
  await h.client.magicLinks.email.loginOrSignup({
    organization_id: 'acme', email_address: 'viewer@acme.test', login_redirect_url: 'https://app.acme.test/callback'
  })
  const message = await lastMessage(h.emu, 'viewer@acme.test')
  t.equal(message.redirect_url, 'https://app.acme.test/callback')
  t.ok(message.link.startsWith('https://app.acme.test/callback?'), 'link uses the requested redirect')
})

t.test('login_or_signup signs up an unknown @acme.test email through JIT provisioning', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const res = await h.client.magicLinks.email.loginOrSignup({
    organization_id: acme, email_address: 'newbie@acme.test', signup_redirect_url: 'https://app.acme.test/signup'
  })
  t.equal(res.member_created, true)
  t.match(res.member, { email_address: 'newbie@acme.test', status: 'pending', organization_id: acme })
  const message = await lastMessage(h.emu, 'newbie@acme.test')
  t.match(message, { type: 'signup', member_id: res.member_id, redirect_url: 'https://app.acme.test/signup' })
  const again = await h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'newbie@acme.test' })
  t.equal(again.member_created, false, 'the pending member already exists')
  t.equal(again.member_id, res.member_id)
  t.equal((await lastMessage(h.emu, 'newbie@acme.test')).type, 'signup', 'a pending member still gets a signup link')

  const auth = await h.client.magicLinks.authenticate({ magic_links_token: (await lastMessage(h.emu, 'newbie@acme.test')).token })
  t.match(auth.member, { member_id: res.member_id, status: 'active', email_address_verified: true }, 'authenticate activates')
})

t.test('login_or_signup rejects unknown emails outside the allowed domains and bad input', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  await rejectsStytch(t, h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'mallory@evil.test' }),
    { status_code: [400, 403], error_type: 'email_jit_provisioning_not_allowed' }, 'domain not allowed')
  await rejectsStytch(t, h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'admin@globex.test' }),
    { status_code: [400, 403], error_type: 'email_jit_provisioning_not_allowed' }, 'member of another org')
  t.same(await outbox(h.emu, 'mallory@evil.test'), [], 'nothing sent')
  await rejectsStytch(t, h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'not-an-email' }),
    { status_code: 400, error_type: 'invalid_email' })
  await rejectsStytch(t, h.client.magicLinks.email.loginOrSignup({ organization_id: 'organization-test-missing', email_address: 'a@acme.test' }),
    { status_code: 404, error_type: 'organization_not_found' })
  await rejectsStytch(t, h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'editor@acme.test', login_expiration_minutes: 4 }),
    { status_code: 400, error_type: /\S/ }, 'expiration below 5 minutes')
  await rejectsStytch(t, h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'editor@acme.test', login_expiration_minutes: 10081 }),
    { status_code: 400, error_type: /\S/ }, 'expiration above 10080 minutes')
})

t.test('magic link authenticate returns the full auth response; a link works once and never again', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  await h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'editor@acme.test' })
  const token = (await lastMessage(h.emu, 'editor@acme.test')).token
  const before = Date.now()
  const res = await h.client.magicLinks.authenticate({ magic_links_token: token })
  t.equal(res.status_code, 200)
  t.match(res, {
    organization_id: acme,
    method_id: /\S/,
    reset_sessions: false,
    member_authenticated: true,
    intermediate_session_token: '',
    session_token: /^[A-Za-z0-9_-]{20,}$/,
    session_jwt: /^[\w-]+\.[\w-]+\.[\w-]+$/
  })
  t.match(res.member, { member_id: res.member_id, email_address: 'editor@acme.test', status: 'active', email_address_verified: true })
  t.equal(res.organization.organization_slug, 'acme')
  const session = res.member_session
  if (session === undefined) throw new Error('member_session missing')
  t.match(session, {
    member_session_id: /\S/,
    member_id: res.member_id,
    organization_id: acme,
    organization_slug: 'acme',
    started_at: RFC3339,
    last_accessed_at: RFC3339,
    expires_at: RFC3339
  })
  t.same([...session.roles].sort(), ['editor', 'stytch_member'], 'session roles are plain strings')
  t.match(session.authentication_factors, [{
    type: 'magic_link', delivery_method: 'email', email_factor: { email_address: 'editor@acme.test' }
  }])
  const minutes = msFrom(session.expires_at, Date.parse(session.started_at)) / 60_000
  t.ok(Math.abs(minutes - 60) < 0.1, `default session is 60 minutes (got ${minutes})`)
  t.ok(Math.abs(msFrom(session.started_at, before)) < 5_000, 'started now')

  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: token }), USED_OR_EXPIRED, 'second use')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: token }), USED_OR_EXPIRED, 'third use')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: 'mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q' }),
    { status_code: 404, error_type: 'magic_link_not_found' }, 'unknown token')
})

t.test('expired links fail: login default 60 minutes, custom 5 minutes', async (t) => {
  const h = await startHarness(t)
  const send = async (email: string, minutes?: number): Promise<string> => {
    await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: email, login_expiration_minutes: minutes })
    return (await lastMessage(h.emu, email)).token
  }
  const shortLived = await send('viewer@acme.test', 5)
  const defaultLived = await send('editor@acme.test')
  const defaultLate = await send('admin@acme.test')
  await setClockOffset(h.emu, 6 * 60)
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: shortLived }), USED_OR_EXPIRED, '5-minute link after 6 minutes')
  await setClockOffset(h.emu, 59 * 60)
  const ok = await h.client.magicLinks.authenticate({ magic_links_token: defaultLived })
  t.equal(ok.member.email_address, 'editor@acme.test', 'default link still valid after 59 minutes')
  await setClockOffset(h.emu, 61 * 60)
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: defaultLate }), USED_OR_EXPIRED, 'default link after 61 minutes')
})

t.test('PKCE: matching verifier succeeds, mismatch / missing / unexpected fail', async (t) => {
  const h = await startHarness(t)
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const send = async (pkce: boolean): Promise<string> => {
    await h.client.magicLinks.email.loginOrSignup({
      organization_id: 'acme', email_address: 'editor@acme.test', pkce_code_challenge: pkce ? challenge : undefined
    })
    return (await lastMessage(h.emu, 'editor@acme.test')).token
  }
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: await send(true), pkce_code_verifier: randomBytes(32).toString('base64url') }),
    { status_code: 400, error_type: 'pkce_mismatch' })
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: await send(true) }),
    { status_code: 400, error_type: 'pkce_expected_code_verifier' })
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: await send(false), pkce_code_verifier: verifier }),
    { status_code: 400, error_type: 'pkce_did_not_expect_code_verifier' })
  const ok = await h.client.magicLinks.authenticate({ magic_links_token: await send(true), pkce_code_verifier: verifier })
  t.equal(ok.member.email_address, 'editor@acme.test', 'the right verifier authenticates')
  t.equal(ok.member_authenticated, true)
})

t.test('authenticate options: duration bounds, custom claims, reusing the member\'s session', async (t) => {
  const h = await startHarness(t)
  const send = async (): Promise<string> => {
    await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'viewer@acme.test' })
    return (await lastMessage(h.emu, 'viewer@acme.test')).token
  }
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: await send(), session_duration_minutes: 4 }),
    { status_code: 400, error_type: 'invalid_session_duration_minutes' })
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: await send(), session_duration_minutes: 527041 }),
    { status_code: 400, error_type: 'invalid_session_duration_minutes' })
  const long = await h.client.magicLinks.authenticate({
    magic_links_token: await send(), session_duration_minutes: 120, session_custom_claims: { tenant_tier: 'gold' }
  })
  const session = long.member_session
  if (session === undefined) throw new Error('member_session missing')
  const minutes = msFrom(session.expires_at, Date.parse(session.started_at)) / 60_000
  t.ok(Math.abs(minutes - 120) < 0.1, `session_duration_minutes 120 (got ${minutes})`)
  t.same(session.custom_claims, { tenant_tier: 'gold' })

  const reused = await h.client.magicLinks.authenticate({ magic_links_token: await send(), session_token: long.session_token })
  t.equal(reused.member_session?.member_session_id, session.member_session_id, 'the member\'s own session is reused')
  await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'editor@acme.test' })
  const editorToken = (await lastMessage(h.emu, 'editor@acme.test')).token
  const editor = await h.client.magicLinks.authenticate({ magic_links_token: editorToken, session_token: long.session_token })
  t.not(editor.member_session?.member_session_id, session.member_session_id, 'another member\'s session is ignored')
  t.equal(editor.member.email_address, 'editor@acme.test')
})

t.test('invite creates an invited member; authenticate activates it', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const inviter = await memberId(h, acme, 'admin@acme.test')
  const res = await h.client.magicLinks.email.invite({
    organization_id: acme,
    email_address: 'Grace@Partner.test',
    name: 'Grace',
    roles: ['editor'],
    untrusted_metadata: { source: 'invite' },
    invited_by_member_id: inviter,
    invite_redirect_url: 'https://app.acme.test/invite'
  })
  t.equal(res.status_code, 200)
  t.match(res.member, { member_id: res.member_id, email_address: 'grace@partner.test', status: 'invited', name: 'Grace', untrusted_metadata: { source: 'invite' } })
  t.ok(res.member.roles.some((r) => r.role_id === 'editor'), 'invited with the editor role')
  t.equal(res.organization.organization_id, acme)
  const message = await lastMessage(h.emu, 'grace@partner.test')
  const resent = await h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'grace@partner.test' })
  t.equal(resent.member_created, false)
  t.equal((await lastMessage(h.emu, 'grace@partner.test')).type, 'signup', 'an invited member gets a signup link (§5.1)')
  t.match(message, { type: 'invite', member_id: res.member_id, organization_id: acme, redirect_url: 'https://app.acme.test/invite' })
  t.equal(new URL(message.link).searchParams.get('token'), message.token)

  // Invites last a week by default, far longer than login links.
  await setClockOffset(h.emu, 3 * 24 * 3600)
  const auth = await h.client.magicLinks.authenticate({ magic_links_token: message.token })
  t.match(auth.member, { member_id: res.member_id, status: 'active', email_address_verified: true })
  t.ok(auth.member_session?.roles.includes('editor'), 'session carries the invited role')
  const got = await h.client.organizations.members.get({ organization_id: acme, member_id: res.member_id })
  t.equal(got.member.status, 'active', 'activation persisted')
})

t.test('invite errors: active member, unknown org, bad email, expiry', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  await rejectsStytch(t, h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'editor@acme.test' }),
    { status_code: [400, 409], error_type: /\S/ }, 'inviting an active member')
  await rejectsStytch(t, h.client.magicLinks.email.invite({ organization_id: 'organization-test-missing', email_address: 'x@acme.test' }),
    { status_code: 404, error_type: 'organization_not_found' })
  await rejectsStytch(t, h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'nope' }),
    { status_code: 400, error_type: 'invalid_email' })
  const closed = await h.client.organizations.create({ organization_name: 'Closed', organization_slug: 'closed', email_invites: 'NOT_ALLOWED' })
  await rejectsStytch(t, h.client.magicLinks.email.invite({ organization_id: closed.organization.organization_id, email_address: 'x@closed.test' }),
    { status_code: [400, 403], error_type: /\S/ }, 'email_invites NOT_ALLOWED')
  await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'late@partner.test', invite_expiration_minutes: 5 })
  const token = (await lastMessage(h.emu, 'late@partner.test')).token
  await setClockOffset(h.emu, 6 * 60)
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: token }), USED_OR_EXPIRED, 'expired invite')
})

t.test('deleting an invited member revokes the invite', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const res = await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'gone@partner.test' })
  const token = (await lastMessage(h.emu, 'gone@partner.test')).token
  await h.client.organizations.members.delete({ organization_id: acme, member_id: res.member_id })
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: token }),
    { status_code: [401, 404], error_type: /^(unable_to_auth_magic_link|magic_link_not_found|member_not_found)$/ }, '[SDK doc comment] invites revoked')
})
