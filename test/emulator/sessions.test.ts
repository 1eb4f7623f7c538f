// Sessions endpoints (reference §3 rows 4–7, §4.3, §6) through the real SDK.
import t from 'tap'
import { decodeJwt } from 'jose'
import { login, memberId, msFrom, orgId, rejectsStytch, setClockOffset, startHarness } from './helper.js'

const NOT_FOUND = { status_code: 404, error_type: 'session_not_found' }
const MINUTE = 60_000

t.test('sessions.authenticate by token or JWT returns the full auth response', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'editor@acme.test')
  const byToken = await h.client.sessions.authenticate({ session_token: session.session_token })
  t.equal(byToken.status_code, 200)
  t.match(byToken.request_id, /\S/)
  t.equal(byToken.session_token, session.session_token, 'the session token is unchanged')
  t.match(byToken.session_jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a session JWT is returned')
  t.equal(decodeJwt(byToken.session_jwt).sub, session.member_id)
  t.match(byToken.member_session, {
    member_session_id: session.member_session?.member_session_id,
    member_id: session.member_id,
    organization_id: session.organization_id,
    organization_slug: 'acme'
  })
  t.match(byToken.member, { member_id: session.member_id, email_address: 'editor@acme.test' })
  t.equal(byToken.organization.organization_id, session.organization_id)
  t.equal(byToken.verdict, undefined, 'no verdict without an authorization_check')

  const byJwt = await h.client.sessions.authenticate({ session_jwt: session.session_jwt })
  t.equal(byJwt.member_session.member_session_id, session.member_session?.member_session_id)
  t.equal(byJwt.session_token, session.session_token, 'the JWT path also returns the opaque token')
})

t.test('sessions.authenticate argument errors and unknown sessions', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  await rejectsStytch(t, h.client.sessions.authenticate({}), { status_code: 400, error_type: 'no_session_arguments' })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token, session_jwt: session.session_jwt }),
    { status_code: 400, error_type: 'too_many_session_arguments' })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: 'kq0Z4cVwW9n8nA0Yk1pQ7m3sR5tU6vX8yZ0aB2cD4eF6' }),
    { ...NOT_FOUND, error_message: /Session could not be found/ })
  const [header, payload] = session.session_jwt.split('.')
  await rejectsStytch(t, h.client.sessions.authenticate({ session_jwt: `${header}.${payload}.AAAA` }),
    { status_code: [401, 404], error_type: /\S/ }, 'bad JWT signature')
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token, session_duration_minutes: 4 }),
    { status_code: 400, error_type: 'invalid_session_duration_minutes' })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token, session_duration_minutes: 527041 }),
    { status_code: 400, error_type: 'invalid_session_duration_minutes' })
})

t.test('session_duration_minutes bounds and sliding expiry', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  const expires0 = session.member_session?.expires_at ?? ''
  const same = await h.client.sessions.authenticate({ session_token: session.session_token })
  t.equal(Date.parse(same.member_session.expires_at), Date.parse(expires0), 'no duration → not extended')

  const max = await h.client.sessions.authenticate({ session_token: session.session_token, session_duration_minutes: 527040 })
  t.ok(Math.abs(msFrom(max.member_session.expires_at, Date.now()) - 527040 * MINUTE) < 10_000, 'max 527040 minutes accepted')

  await setClockOffset(h.emu, 20 * 60)
  const slid = await h.client.sessions.authenticate({ session_token: session.session_token, session_duration_minutes: 5 })
  const expected = Date.now() + 20 * MINUTE + 5 * MINUTE
  t.ok(Math.abs(Date.parse(slid.member_session.expires_at) - expected) < 10_000, 'expires_at = (emulator) now + duration, even when shorter')
  t.ok(Date.parse(slid.member_session.last_accessed_at) > Date.parse(session.member_session?.last_accessed_at ?? ''), 'last_accessed_at bumped')

  await setClockOffset(h.emu, 26 * 60)
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token }), NOT_FOUND, 'expired session')
  await rejectsStytch(t, h.client.sessions.authenticate({ session_jwt: slid.session_jwt }), NOT_FOUND, 'expired session by JWT')
})

t.test('session custom claims: merge, null deletes, reserved names, 4 KB', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'editor@acme.test', 'acme', {
    session_custom_claims: { tenant_tier: 'gold', seats: 3, prefs: { theme: 'dark', lang: 'en' } }
  })
  t.same(session.member_session?.custom_claims, { tenant_tier: 'gold', seats: 3, prefs: { theme: 'dark', lang: 'en' } })
  const merged = await h.client.sessions.authenticate({
    session_token: session.session_token,
    session_custom_claims: { seats: null, plan: 'pro', prefs: { lang: null, tz: 'UTC' } }
  })
  const expected = { tenant_tier: 'gold', plan: 'pro', prefs: { theme: 'dark', tz: 'UTC' } }
  t.same(merged.member_session.custom_claims, expected, 'added, replaced, null-deleted, nested merged recursively (§6.6)')
  t.match(decodeJwt(merged.session_jwt), expected, 'custom claims are top-level JWT claims')
  t.notOk('seats' in decodeJwt(merged.session_jwt), 'deleted claim gone from the JWT')
  const later = await h.client.sessions.authenticate({ session_token: session.session_token })
  t.same(later.member_session.custom_claims, expected, 'stored on the session')

  for (const name of ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']) {
    await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token, session_custom_claims: { [name]: 'x' } }),
      { status_code: 400, error_type: 'reserved_claims_in_custom_claims' }, `reserved ${name}`)
  }
  await rejectsStytch(t, h.client.sessions.authenticate({
    session_token: session.session_token, session_custom_claims: { 'https://stytch.com/organization': { slug: 'evil' } }
  }), { status_code: 400, error_type: 'stytch_claims_in_custom_claims' })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: session.session_token, session_custom_claims: { blob: 'x'.repeat(4200) } }),
    { status_code: 400, error_type: 'custom_claims_too_large' })
  const unchanged = await h.client.sessions.authenticate({ session_token: session.session_token })
  t.same(unchanged.member_session.custom_claims, expected, 'rejected claims change nothing')
})

t.test('sessions.get lists only the member\'s active sessions', async (t) => {
  const h = await startHarness(t)
  const first = await login(h, 'viewer@acme.test')
  const second = await login(h, 'viewer@acme.test')
  const short = await login(h, 'viewer@acme.test', 'acme', { session_duration_minutes: 5 })
  await login(h, 'editor@acme.test')
  const list = await h.client.sessions.get({ organization_id: first.organization_id, member_id: first.member_id })
  t.equal(list.status_code, 200)
  const ids = (l: typeof list): string[] => l.member_sessions.map((s) => s.member_session_id).sort()
  t.same(ids(list), [first, second, short].map((s) => s.member_session?.member_session_id).sort(), 'three sessions, none of the editor\'s')
  t.ok(list.member_sessions.every((s) => s.member_id === first.member_id && s.roles.includes('viewer')), 'session objects')

  await h.client.sessions.revoke({ session_token: second.session_token })
  await setClockOffset(h.emu, 6 * 60)
  const after = await h.client.sessions.get({ organization_id: first.organization_id, member_id: first.member_id })
  t.same(ids(after), [first.member_session?.member_session_id], 'revoked and expired sessions are not listed')

  await rejectsStytch(t, h.client.sessions.get({ organization_id: first.organization_id, member_id: 'member-test-missing' }),
    { status_code: 404, error_type: 'member_not_found' })
})

t.test('sessions.revoke by session id, token, JWT and member id', async (t) => {
  const h = await startHarness(t)
  const byId = await login(h, 'viewer@acme.test')
  const byToken = await login(h, 'viewer@acme.test')
  const byJwt = await login(h, 'viewer@acme.test')
  const bystander = await login(h, 'editor@acme.test')

  const res = await h.client.sessions.revoke({ member_session_id: byId.member_session?.member_session_id })
  t.equal(res.status_code, 200)
  t.match(res.request_id, /\S/)
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: byId.session_token }), NOT_FOUND, 'revoked by id')
  t.ok(await h.client.sessions.authenticate({ session_token: byToken.session_token }), 'other sessions survive')

  await h.client.sessions.revoke({ session_token: byToken.session_token })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: byToken.session_token }), NOT_FOUND, 'revoked by token')
  await h.client.sessions.revoke({ session_jwt: byJwt.session_jwt })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: byJwt.session_token }), NOT_FOUND, 'revoked by JWT')

  const a = await login(h, 'viewer@acme.test')
  const b = await login(h, 'viewer@acme.test')
  await h.client.sessions.revoke({ member_id: a.member_id })
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: a.session_token }), NOT_FOUND, 'all of the member\'s sessions (1)')
  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: b.session_token }), NOT_FOUND, 'all of the member\'s sessions (2)')
  const alive = await h.client.sessions.authenticate({ session_token: bystander.session_token })
  t.equal(alive.member.email_address, 'editor@acme.test', 'another member\'s session is untouched')
})

t.test('sessions.revoke selector errors', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  await rejectsStytch(t, h.client.sessions.revoke({}), { status_code: 400, error_type: 'no_session_revoke_arguments' })
  await rejectsStytch(t, h.client.sessions.revoke({ session_token: session.session_token, member_id: session.member_id }),
    { status_code: 400, error_type: 'too_many_session_revoke_arguments' })
  await rejectsStytch(t, h.client.sessions.revoke({ member_session_id: session.member_session?.member_session_id, session_jwt: session.session_jwt }),
    { status_code: 400, error_type: 'too_many_session_revoke_arguments' })
  await rejectsStytch(t, h.client.sessions.revoke({ member_session_id: 'session-test-00000000-0000-4000-8000-000000000000' }), NOT_FOUND)
  t.ok(await h.client.sessions.authenticate({ session_token: session.session_token }), 'failed revokes revoke nothing')
})

t.test('sessions.exchange mints a session for the same email in another org', async (t) => {
  const h = await startHarness(t)
  const globex = await orgId(h, 'globex')
  await h.client.organizations.members.create({ organization_id: globex, email_address: 'admin@acme.test', name: 'Acme Admin at Globex' })
  const source = await login(h, 'admin@acme.test')
  const res = await h.client.sessions.exchange({
    organization_id: globex, session_token: source.session_token, session_custom_claims: { via: 'exchange' }
  })
  t.equal(res.status_code, 200)
  t.equal(res.member_authenticated, true)
  t.equal(res.intermediate_session_token, '')
  t.match(res.member, { email_address: 'admin@acme.test', organization_id: globex, status: 'active' })
  t.not(res.member_id, source.member_id, 'a different member record')
  t.equal(res.member_id, res.member.member_id)
  t.equal(res.organization.organization_id, globex)
  t.not(res.session_token, source.session_token, 'a new session')
  t.match(res.member_session, { member_id: res.member_id, organization_id: globex, organization_slug: 'globex', custom_claims: { via: 'exchange' } })
  t.same(res.member_session?.roles, ['stytch_member'], 'roles of the target member')
  t.match(decodeJwt(res.session_jwt), { sub: res.member_id, 'https://stytch.com/organization': { organization_id: globex, slug: 'globex' } })
  const check = await h.client.sessions.authenticate({ session_token: res.session_token })
  t.equal(check.organization.organization_slug, 'globex')

  await rejectsStytch(t, h.client.sessions.authenticate({ session_token: source.session_token }), NOT_FOUND, 'the source session ended with the exchange')
  const again = await login(h, 'admin@acme.test')
  const byJwt = await h.client.sessions.exchange({ organization_id: 'globex', session_jwt: again.session_jwt })
  t.equal(byJwt.member_id, res.member_id, 'by JWT and by slug')
})

t.test('sessions.exchange also accepts an invited member in the target org', async (t) => {
  const h = await startHarness(t)
  const globex = await orgId(h, 'globex')
  const invite = await h.client.magicLinks.email.invite({ organization_id: globex, email_address: 'editor@acme.test' })
  const source = await login(h, 'editor@acme.test')
  const res = await h.client.sessions.exchange({ organization_id: globex, session_token: source.session_token })
  t.equal(res.member_id, invite.member_id)
  t.equal(res.member_authenticated, true)
})

t.test('sessions.exchange errors', async (t) => {
  const h = await startHarness(t)
  const globex = await orgId(h, 'globex')
  const source = await login(h, 'viewer@acme.test')
  await rejectsStytch(t, h.client.sessions.exchange({ organization_id: globex, session_token: source.session_token }),
    { status_code: [400, 401, 403, 404], error_type: /\S/ }, 'no member for this email in the target org (no JIT)')
  await rejectsStytch(t, h.client.organizations.members.get({ organization_id: globex, email_address: 'viewer@acme.test' }),
    { status_code: 404, error_type: 'member_not_found' }, 'and none was created')
  await rejectsStytch(t, h.client.sessions.exchange({ organization_id: 'organization-test-missing', session_token: source.session_token }),
    { status_code: 404, error_type: 'organization_not_found' })
  await rejectsStytch(t, h.client.sessions.exchange({ organization_id: globex, session_token: 'kq0Z4cVwW9n8nA0Yk1pQ7m3sR5tU6vX8yZ0aB2cD4eF6' }), NOT_FOUND)
  await rejectsStytch(t, h.client.sessions.exchange({ organization_id: globex }), { status_code: 400, error_type: /\S/ }, 'no session given')
  t.equal(await memberId(h, source.organization_id, 'viewer@acme.test'), source.member_id, 'the source member is untouched')
})
