import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { decodeJwt } from 'jose'
import { lastMessage, login, orgId, rejectsStytch, setClockOffset, startHarness, type Harness } from './helper.js'

const verifierPair = (): { verifier: string, challenge: string } => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** Sends a discovery link to `email` and authenticates it; the response. */
async function discover (h: Harness, email: string) {
  const { verifier, challenge } = verifierPair()
  await h.client.magicLinks.email.discovery.send({ email_address: email, pkce_code_challenge: challenge })
  const message = await lastMessage(h.emu, email)
  return await h.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: message.token, pkce_code_verifier: verifier })
}

const IST_NOT_FOUND = { status_code: 404, error_type: 'intermediate_session_not_found' }

t.test('discovery send puts a discovery link in the outbox', async (t) => {
  const h = await startHarness(t)
  const res = await h.client.magicLinks.email.discovery.send({
    email_address: 'Someone@Acme.test', discovery_redirect_url: 'https://app.test/discover', discovery_expiration_minutes: 30
  })
  t.equal(res.status_code, 200)
  t.ok(res.request_id)
  const message = await lastMessage(h.emu, 'someone@acme.test')
  t.equal(message.type, 'discovery')
  t.equal(message.organization_id, '', 'a discovery link names no organization')
  t.equal(message.pkce_code_challenge, null)
  const link = new URL(message.link)
  t.equal(link.origin + link.pathname, 'https://app.test/discover')
  t.equal(link.searchParams.get('stytch_token_type'), 'discovery')
  t.equal(link.searchParams.get('token'), message.token)
  t.equal(Date.parse(message.expires_at) - Date.parse(message.sent_at), 30 * 60_000)
  await rejectsStytch(t, h.client.magicLinks.email.discovery.send({ email_address: 'not an email' }), { status_code: 400, error_type: 'invalid_email' })
  await rejectsStytch(t, h.client.magicLinks.email.discovery.send({ email_address: 'a@acme.test', discovery_expiration_minutes: 2 }),
    { status_code: 400, error_type: 'invalid_expiration_minutes' })
})

t.test('discovery authenticate: intermediate session and the organizations of the address', async (t) => {
  const h = await startHarness(t)
  const globex = await orgId(h, 'globex')
  await h.client.magicLinks.email.invite({ organization_id: globex, email_address: 'admin@acme.test' })
  const res = await discover(h, 'admin@acme.test')
  t.equal(res.status_code, 200)
  t.equal(res.email_address, 'admin@acme.test')
  t.match(res.intermediate_session_token, /^[A-Za-z0-9_-]{44}$/)
  const ttl = Date.parse(res.intermediate_session_token_expires_at ?? '') - Date.now()
  t.ok(ttl > 9 * 60_000 && ttl <= 10 * 60_000, 'intermediate session lives 10 minutes')
  const bySlug = Object.fromEntries(res.discovered_organizations.map((o) => [o.organization?.organization_slug, o]))
  t.match(bySlug.acme, { member_authenticated: true, membership: { type: 'active_member', member: { email_address: 'admin@acme.test' } } })
  t.match(bySlug.globex, { member_authenticated: true, membership: { type: 'invited_member', member: { status: 'invited' } } })
  t.notOk('primary_required' in (bySlug.acme ?? {}), 'optional fields absent when they do not apply')

  const newcomer = await discover(h, 'newcomer@acme.test')
  t.same(newcomer.discovered_organizations.map((o) => o.membership?.type), ['eligible_to_join_by_email_domain'], 'JIT by domain')
  t.same(newcomer.discovered_organizations[0]?.membership?.details, { domain: 'acme.test' })
  t.notOk(newcomer.discovered_organizations[0]?.membership?.member, 'no member yet')
  const stranger = await discover(h, 'someone@elsewhere.test')
  t.same(stranger.discovered_organizations, [], 'no organization for an unknown domain')
})

t.test('discovery authenticate: single use, expiry, PKCE', async (t) => {
  const h = await startHarness(t)
  const { verifier, challenge } = verifierPair()
  await h.client.magicLinks.email.discovery.send({ email_address: 'editor@acme.test', pkce_code_challenge: challenge })
  const { token } = await lastMessage(h.emu, 'editor@acme.test')
  await rejectsStytch(t, h.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token }), { status_code: 400, error_type: 'pkce_expected_code_verifier' })
  await rejectsStytch(t, h.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token, pkce_code_verifier: verifierPair().verifier }),
    { status_code: 400, error_type: 'pkce_mismatch' })
  const ok = await h.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token, pkce_code_verifier: verifier })
  t.ok(ok.intermediate_session_token, 'the right verifier still works after failed attempts')
  await rejectsStytch(t, h.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token, pkce_code_verifier: verifier }),
    { status_code: 401, error_type: 'unable_to_auth_magic_link' }, 'single use')
  await rejectsStytch(t, h.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: 'x'.repeat(44) }), { status_code: 404, error_type: 'magic_link_not_found' })

  await h.client.magicLinks.email.discovery.send({ email_address: 'viewer@acme.test' })
  const plain = await lastMessage(h.emu, 'viewer@acme.test')
  await rejectsStytch(t, h.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: plain.token, pkce_code_verifier: verifier }),
    { status_code: 400, error_type: 'pkce_did_not_expect_code_verifier' })
  await setClockOffset(h.emu, 61 * 60)
  await rejectsStytch(t, h.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: plain.token }), { status_code: 401, error_type: 'unable_to_auth_magic_link' }, 'expired')
})

t.test('discovery organizations list: intermediate session or member session, consumes nothing', async (t) => {
  const h = await startHarness(t)
  const ist = (await discover(h, 'newcomer@acme.test')).intermediate_session_token
  const first = await h.client.discovery.organizations.list({ intermediate_session_token: ist })
  const second = await h.client.discovery.organizations.list({ intermediate_session_token: ist })
  t.equal(first.email_address, 'newcomer@acme.test')
  t.same(second.discovered_organizations.map((o) => o.membership?.type), ['eligible_to_join_by_email_domain'])
  t.notOk('organization_id_hint' in first, 'no hint for a discovery-link intermediate session')

  const session = await login(h, 'admin@acme.test')
  const globex = await orgId(h, 'globex')
  await h.client.organizations.update({ organization_id: globex, email_jit_provisioning: 'RESTRICTED', email_allowed_domains: ['globex.test', 'acme.test'] })
  const mine = await h.client.discovery.organizations.list({ session_token: session.session_token })
  t.same(mine.discovered_organizations.map((o) => o.organization?.organization_slug), ['acme'], 'a member session lists memberships only, not JIT eligibility')
  const byJwt = await h.client.discovery.organizations.list({ session_jwt: session.session_jwt })
  t.equal(byJwt.email_address, 'admin@acme.test')

  await rejectsStytch(t, h.client.discovery.organizations.list({}), { status_code: 400, error_type: 'no_session_arguments' })
  await rejectsStytch(t, h.client.discovery.organizations.list({ intermediate_session_token: ist, session_token: session.session_token }),
    { status_code: 400, error_type: 'too_many_session_arguments' })
  await rejectsStytch(t, h.client.discovery.organizations.list({ intermediate_session_token: 'y'.repeat(44) }), IST_NOT_FOUND)
  await rejectsStytch(t, h.client.discovery.organizations.list({ session_token: 'kq0Z4cVwW9n8nA0Yk1pQ7m3sR5tU6vX8yZ0aB2cD4eF6' }), { status_code: 404, error_type: 'session_not_found' })
  await setClockOffset(h.emu, 11 * 60)
  await rejectsStytch(t, h.client.discovery.organizations.list({ intermediate_session_token: ist }), IST_NOT_FOUND, 'expired after 10 minutes')
})

t.test('intermediate session exchange: member, invite, JIT; single use', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const ist = (await discover(h, 'editor@acme.test')).intermediate_session_token
  const res = await h.client.discovery.intermediateSessions.exchange({ intermediate_session_token: ist, organization_id: acme, session_duration_minutes: 30 })
  t.equal(res.member_authenticated, true)
  t.equal(res.intermediate_session_token, '')
  t.match(res.member, { email_address: 'editor@acme.test', status: 'active', email_address_verified: true })
  t.equal(res.organization.organization_id, acme)
  t.match(res.member_session, { member_id: res.member_id, organization_id: acme, authentication_factors: [{ type: 'magic_link', delivery_method: 'email', email_factor: { email_address: 'editor@acme.test' } }] })
  t.same(res.member_session?.roles.sort(), ['editor', 'stytch_member'])
  const ttl = Date.parse(res.member_session?.expires_at ?? '') - Date.now()
  t.ok(ttl > 29 * 60_000 && ttl <= 30 * 60_000)
  t.equal(decodeJwt(res.session_jwt).sub, res.member_id)
  t.equal((await h.client.sessions.authenticate({ session_token: res.session_token })).member.member_id, res.member_id)
  await rejectsStytch(t, h.client.discovery.intermediateSessions.exchange({ intermediate_session_token: ist, organization_id: acme }), IST_NOT_FOUND, 'single use')

  const jit = (await discover(h, 'newcomer@acme.test')).intermediate_session_token
  const joined = await h.client.discovery.intermediateSessions.exchange({ intermediate_session_token: jit, organization_id: 'acme' })
  t.match(joined.member, { email_address: 'newcomer@acme.test', status: 'active' }, 'JIT-provisioned by domain')

  const stranger = (await discover(h, 'newcomer@acme.test')).intermediate_session_token
  await rejectsStytch(t, h.client.discovery.intermediateSessions.exchange({ intermediate_session_token: stranger, organization_id: 'globex' }),
    { status_code: 403, error_type: 'email_jit_provisioning_not_allowed' }, 'an org the address cannot join')
  await rejectsStytch(t, h.client.discovery.intermediateSessions.exchange({ intermediate_session_token: stranger, organization_id: 'organization-test-missing' }),
    { status_code: 404, error_type: 'organization_not_found' })
  const still = await h.client.discovery.intermediateSessions.exchange({ intermediate_session_token: stranger, organization_id: acme })
  t.ok(still.session_token, 'a refused exchange spends nothing')
})

t.test('an organization with other auth rules answers member_authenticated false with what it needs', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  await h.client.organizations.update({ organization_id: acme, auth_methods: 'RESTRICTED', allowed_auth_methods: ['sso'] })
  await h.client.organizations.update({ organization_id: globex, mfa_policy: 'REQUIRED_FOR_ALL' })
  await h.client.organizations.members.create({ organization_id: globex, email_address: 'admin@acme.test' })
  const found = await discover(h, 'admin@acme.test')
  const bySlug = Object.fromEntries(found.discovered_organizations.map((o) => [o.organization?.organization_slug, o]))
  t.match(bySlug.acme, { member_authenticated: false, primary_required: { allowed_auth_methods: ['sso'] } })
  t.match(bySlug.globex, { member_authenticated: false, mfa_required: { member_options: { mfa_phone_number: '' } } })

  const ist = found.intermediate_session_token
  const primary = await h.client.discovery.intermediateSessions.exchange({ intermediate_session_token: ist, organization_id: acme })
  t.match(primary, { member_authenticated: false, session_token: '', session_jwt: '', intermediate_session_token: ist, primary_required: { allowed_auth_methods: ['sso'] } })
  t.notOk(primary.member_session, 'no session')
  const mfa = await h.client.discovery.intermediateSessions.exchange({ intermediate_session_token: ist, organization_id: globex })
  t.match(mfa, { member_authenticated: false, intermediate_session_token: ist, mfa_required: {} })

  // sessions.exchange from a session elsewhere: same verdicts, a new intermediate token bound to the target.
  await h.client.organizations.update({ organization_id: acme, auth_methods: 'ALL_ALLOWED' })
  const session = await login(h, 'admin@acme.test')
  const switched = await h.client.sessions.exchange({ organization_id: globex, session_token: session.session_token })
  t.match(switched, { member_authenticated: false, session_token: '', mfa_required: {} })
  t.match(switched.intermediate_session_token, /^[A-Za-z0-9_-]{44}$/)
  const hinted = await h.client.discovery.organizations.list({ intermediate_session_token: switched.intermediate_session_token })
  t.equal(hinted.organization_id_hint, globex)
  t.ok(await h.client.sessions.authenticate({ session_token: session.session_token }), 'an exchange that did not happen leaves the source session alive')
})

t.test('discovery organization create: the creator is stytch_admin, the intermediate session is spent', async (t) => {
  const h = await startHarness(t)
  const ist = (await discover(h, 'founder@startup.test')).intermediate_session_token
  const res = await h.client.discovery.organizations.create({ intermediate_session_token: ist, organization_name: 'Startup', organization_slug: 'startup' })
  t.equal(res.member_authenticated, true)
  t.match(res.organization, { organization_name: 'Startup', organization_slug: 'startup' })
  t.match(res.member, { email_address: 'founder@startup.test', status: 'active', email_address_verified: true, is_admin: true })
  t.ok(res.member_session?.roles.includes('stytch_admin'))
  await rejectsStytch(t, h.client.discovery.organizations.create({ intermediate_session_token: ist }), IST_NOT_FOUND, 'single use')

  const other = (await discover(h, 'someone@gmail.com')).intermediate_session_token
  await rejectsStytch(t, h.client.discovery.organizations.create({ intermediate_session_token: other, organization_slug: 'startup' }),
    { status_code: 400, error_type: 'organization_slug_already_used' })
  const named = await h.client.discovery.organizations.create({ intermediate_session_token: other })
  t.match(named.organization, { organization_name: 'someone', organization_slug: 'someone' }, 'default name from the local part of a common provider')
  const again = (await discover(h, 'other@startup.test')).intermediate_session_token
  const derived = await h.client.discovery.organizations.create({ intermediate_session_token: again, mfa_policy: 'REQUIRED_FOR_ALL' })
  t.match(derived, { member_authenticated: false, session_token: '', intermediate_session_token: again, mfa_required: {} }, 'MFA required from the start')
  t.match(derived.organization, { organization_slug: 'startup-2' }, 'a default slug made unique')
})

t.test('sessions.exchange ends the source session', async (t) => {
  const h = await startHarness(t)
  const globex = await orgId(h, 'globex')
  await h.client.organizations.members.create({ organization_id: globex, email_address: 'viewer@acme.test' })
  const source = await login(h, 'viewer@acme.test')
  const res = await h.client.sessions.exchange({ organization_id: globex, session_token: source.session_token })
  t.equal(res.member_authenticated, true)
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: source.session_token }), { status_code: 404, error_type: 'session_not_found' })
  t.ok(await h.client.sessions.authenticate({ session_token: res.session_token }))
})
