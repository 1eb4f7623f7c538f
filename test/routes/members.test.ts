import t from 'tap'
import { AUTHENTICATE, buildApp, emulatorCalls, latestToken, loginForTokens } from '../helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const memberByEmail = (ctx: Awaited<ReturnType<typeof buildApp>>, email: string) =>
  [...ctx.emulator.state.members.values()].find((m) => m.email_address === email)

t.test('updateMe changes the member\'s own record at Stytch, and nobody else\'s', async (t) => {
  const ctx = await buildApp(t)
  const viewer = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const editorBefore = structuredClone(memberByEmail(ctx, 'editor@acme.test'))
  const address = { line1: '1 Main Street', city: 'Springfield', postal_code: '12345', country: 'US' }
  const response = await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(viewer.session_jwt), payload: { name: 'Vera Viewer', shipping_address: address } })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { email_address: 'viewer@acme.test', name: 'Vera Viewer', shipping_address: address, roles: ['stytch_member', 'viewer'] })
  const stored = memberByEmail(ctx, 'viewer@acme.test')
  t.equal(stored?.name, 'Vera Viewer')
  t.same(stored?.untrusted_metadata, { shipping_address: address })
  t.same(memberByEmail(ctx, 'editor@acme.test'), editorBefore, 'other members untouched')

  const cleared = await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(viewer.session_jwt), payload: { shipping_address: null } })
  t.equal(cleared.json().shipping_address, null)
  t.equal(cleared.json().name, 'Vera Viewer', 'the name is kept')

  const bad = await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(viewer.session_jwt), payload: { shipping_address: { line1: 'x', city: 'y', postal_code: '1', country: 'usa' } } })
  t.equal(bad.statusCode, 400)
  t.equal((await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(viewer.session_jwt), payload: { trusted_metadata: { admin: true } } })).statusCode, 400, 'trusted metadata is not settable')
})

t.test('the member\'s session goes along: Stytch refuses a revoked one', async (t) => {
  const ctx = await buildApp(t)
  const viewer = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  // Revoke behind the API's back (e.g. from Stytch's dashboard): the JWT still verifies locally,
  // but the call carries the session and Stytch itself refuses it.
  await ctx.app.stytch.client.sessions.revoke({ member_session_id: viewer.session.member_session_id })
  const response = await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(viewer.session_jwt), payload: { name: 'Ghost' } })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'session_revoked')
  t.not(memberByEmail(ctx, 'viewer@acme.test')?.name, 'Ghost')
})

t.test('roles: an editor cannot change them, an admin can, and the next session shows it', async (t) => {
  const ctx = await buildApp(t)
  const editor = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const viewer = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const viewerId = viewer.member.member_id
  const url = `/v1/organizations/acme/members/${viewerId}/roles`

  const denied = await ctx.app.inject({ method: 'PUT', url, headers: bearer(editor.session_jwt), payload: { roles: ['stytch_admin'] } })
  t.equal(denied.statusCode, 403)
  t.same(memberByEmail(ctx, 'viewer@acme.test')?.explicit_roles, ['viewer'])

  const granted = await ctx.app.inject({ method: 'PUT', url, headers: bearer(admin.session_jwt), payload: { roles: ['editor'] } })
  t.equal(granted.statusCode, 200)
  t.same(granted.json().roles, ['stytch_member', 'editor'])

  // The viewer's next session JWT (slow path) carries the new role, and RBAC follows it.
  const refreshed = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: viewer.session_token } })
  t.same(refreshed.json().session.roles, ['stytch_member', 'editor'])
  const create = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/documents', headers: bearer(refreshed.json().session_jwt), payload: { title: 'Now allowed' } })
  t.equal(create.statusCode, 201)

  const unknownRole = await ctx.app.inject({ method: 'PUT', url, headers: bearer(admin.session_jwt), payload: { roles: ['emperor'] } })
  t.equal(unknownRole.statusCode, 400)
  const unknownMember = await ctx.app.inject({ method: 'PUT', url: '/v1/organizations/acme/members/member-test-nobody/roles', headers: bearer(admin.session_jwt), payload: { roles: [] } })
  t.equal(unknownMember.statusCode, 404)
})

t.test('inviteMember: admins invite, the invitee logs in through the emailed link', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const response = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: 'new.hire@acme.test', name: 'New Hire', roles: ['editor'] } })
  t.equal(response.statusCode, 201)
  t.match(response.json(), { email_address: 'new.hire@acme.test', status: 'invited', roles: ['stytch_member', 'editor'] })
  const token = await latestToken(ctx.emulator, 'new.hire@acme.test')
  const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token, delivery: 'body' } })
  t.equal(login.statusCode, 200)
  t.same(login.json().member.roles, ['stytch_member', 'editor'])

  const again = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: 'new.hire@acme.test' } })
  t.equal(again.statusCode, 409, 'inviting an active member conflicts')
  const before = await emulatorCalls(ctx.emulator)
  const viewer = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const callsAfterLogin = await emulatorCalls(ctx.emulator)
  const denied = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(viewer.session_jwt), payload: { email_address: 'sneaky@acme.test' } })
  t.equal(denied.statusCode, 403)
  t.same(await emulatorCalls(ctx.emulator), callsAfterLogin, 'a local deny costs no Stytch call')
  t.ok((before[AUTHENTICATE] ?? 0) === (callsAfterLogin[AUTHENTICATE] ?? 0))
})
