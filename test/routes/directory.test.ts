import t from 'tap'
import { buildApp, emulatorCalls, emulatorPost, latestToken, loginForTokens, type TestApp } from '../helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const MEMBERS_GET = 'GET /v1/b2b/organizations/:organization_id/member'
const MEMBERS_SEARCH = 'POST /v1/b2b/organizations/members/search'
const memberByEmail = (ctx: TestApp, email: string) => [...ctx.emulator.state.members.values()].find((m) => m.email_address === email && m.status !== 'deleted')

t.test('getMyProfile: the profile as Stytch stores it, cached, and fresh after updateMe', async (t) => {
  const ctx = await buildApp(t)
  const viewer = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const first = await ctx.app.inject({ url: '/v1/me/profile', headers: bearer(viewer.session_jwt) })
  t.equal(first.statusCode, 200)
  t.same(first.json(), {
    member_id: viewer.member.member_id,
    organization_id: memberByEmail(ctx, 'viewer@acme.test')?.organization_id,
    email_address: 'viewer@acme.test',
    name: 'Acme Viewer',
    status: 'active',
    roles: ['stytch_member', 'viewer'],
    shipping_address: null
  })
  t.equal((await emulatorCalls(ctx.emulator))[MEMBERS_GET], 1, 'read from Stytch once')

  // Changed behind the API's back (e.g. Stytch's dashboard): the cached profile is served for its TTL.
  const stored = memberByEmail(ctx, 'viewer@acme.test')
  if (stored !== undefined) stored.name = 'Renamed Elsewhere'
  const cached = await ctx.app.inject({ url: '/v1/me/profile', headers: bearer(viewer.session_jwt) })
  t.equal(cached.json().name, 'Acme Viewer', 'served from the cache')
  t.equal((await emulatorCalls(ctx.emulator))[MEMBERS_GET], 1, 'no second Stytch call')

  // Our own update replaces the entry at once.
  const address = { line1: '1 Main Street', city: 'Springfield', postal_code: '12345', country: 'US' }
  const updated = await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(viewer.session_jwt), payload: { name: 'Vera Viewer', shipping_address: address } })
  t.equal(updated.statusCode, 200)
  const after = await ctx.app.inject({ url: '/v1/me/profile', headers: bearer(viewer.session_jwt) })
  t.match(after.json(), { name: 'Vera Viewer', shipping_address: address })
  t.equal((await ctx.app.inject({ url: '/v1/me/profile' })).statusCode, 401)
})

t.test('getMyProfile: a role change or removal by an admin invalidates the member\'s cached profile', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const editor = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  t.same((await ctx.app.inject({ url: '/v1/me/profile', headers: bearer(editor.session_token) })).json().roles, ['stytch_member', 'editor'])
  const promoted = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${editor.member.member_id}/roles`, headers: bearer(admin.session_jwt), payload: { roles: ['editor', 'stytch_admin'] } })
  t.equal(promoted.statusCode, 200)
  t.same((await ctx.app.inject({ url: '/v1/me/profile', headers: bearer(editor.session_token) })).json().roles, ['stytch_member', 'editor', 'stytch_admin'])
})

t.test('listMembers: pages with a cursor; filters by status, role, email and name prefix', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const acme = [...ctx.emulator.state.organizations.values()].find((o) => o.organization_slug === 'acme')
  const organizationId = acme?.organization_id ?? ''
  for (let i = 0; i < 5; i++) {
    await ctx.app.stytch.client.organizations.members.create({ organization_id: organizationId, email_address: `temp${i}@acme.test`, name: `Temp ${i}`, roles: i % 2 === 0 ? ['viewer'] : [] })
  }
  await ctx.app.stytch.client.magicLinks.email.invite({ organization_id: organizationId, email_address: 'invitee@acme.test', name: 'Ivy Invitee' })
  const list = async (query: string) => {
    const response = await ctx.app.inject({ url: `/v1/organizations/acme/members?${query}`, headers: bearer(admin.session_jwt) })
    t.equal(response.statusCode, 200, `${query}: ${response.body}`)
    return response.json<{ members: Array<{ email_address: string, status: string, roles: string[], name: string }>, next_cursor: string | null }>()
  }

  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page = await list(`limit=3${cursor === null ? '' : `&cursor=${cursor}`}`)
    t.ok(page.members.length <= 3)
    seen.push(...page.members.map((m) => m.email_address))
    cursor = page.next_cursor
    pages++
  } while (cursor !== null)
  t.equal(pages, 3, '9 members in pages of 3')
  t.same([...seen].sort(), ['admin@acme.test', 'editor@acme.test', 'invitee@acme.test', 'temp0@acme.test', 'temp1@acme.test', 'temp2@acme.test', 'temp3@acme.test', 'temp4@acme.test', 'viewer@acme.test'])

  t.same((await list('status=invited')).members.map((m) => m.email_address), ['invitee@acme.test'])
  t.same((await list('role=viewer')).members.map((m) => m.email_address).sort(), ['temp0@acme.test', 'temp2@acme.test', 'temp4@acme.test', 'viewer@acme.test'])
  t.same((await list('role=stytch_admin')).members.map((m) => m.email_address), ['admin@acme.test'])
  t.same((await list('email=TEMP')).members.length, 5, 'email prefix, case-insensitive (Stytch fuzzy + prefix here)')
  t.same((await list('email=te')).members.length, 5, 'a 2-character prefix is matched here only')
  t.same((await list('email=acme')).members, [], 'a substring that is not a prefix matches nothing')
  t.same((await list('name=acme%20e')).members.map((m) => m.email_address), ['editor@acme.test'])
  t.same((await list('status=active&role=viewer&name=temp')).members.map((m) => m.email_address).sort(), ['temp0@acme.test', 'temp2@acme.test', 'temp4@acme.test'])

  // Filtered pages walk Stytch's pages: the cursor picks up inside one.
  const first = await list('role=viewer&limit=1')
  t.equal(first.members.length, 1)
  t.type(first.next_cursor, 'string')
  const rest: string[] = [first.members[0]?.email_address ?? '']
  let next = first.next_cursor
  while (next !== null) {
    const page = await list(`role=viewer&limit=1&cursor=${next}`)
    rest.push(...page.members.map((m) => m.email_address))
    next = page.next_cursor
  }
  t.same(rest.sort(), ['temp0@acme.test', 'temp2@acme.test', 'temp4@acme.test', 'viewer@acme.test'])

  const bad = await ctx.app.inject({ url: '/v1/organizations/acme/members?cursor=bm90LWEtY3Vyc29y', headers: bearer(admin.session_jwt) })
  t.equal(bad.statusCode, 400, 'a cursor we did not issue')
  t.equal((await ctx.app.inject({ url: '/v1/organizations/acme/members?status=deleted', headers: bearer(admin.session_jwt) })).statusCode, 400)
})

t.test('listMembers and getMember carry the admin\'s session to Stytch; editors are refused', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const editor = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const viewerId = memberByEmail(ctx, 'viewer@acme.test')?.member_id ?? ''
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  t.equal((await ctx.app.inject({ url: '/v1/organizations/acme/members', headers: bearer(editor.session_jwt) })).statusCode, 403)
  t.equal((await ctx.app.inject({ url: `/v1/organizations/acme/members/${viewerId}`, headers: bearer(editor.session_jwt) })).statusCode, 403)
  const calls = await emulatorCalls(ctx.emulator)
  t.equal((calls[MEMBERS_SEARCH] ?? 0) + (calls[MEMBERS_GET] ?? 0), 0, 'refused locally: no members call')

  const one = await ctx.app.inject({ url: `/v1/organizations/acme/members/${viewerId}`, headers: bearer(admin.session_jwt) })
  t.equal(one.statusCode, 200)
  t.match(one.json(), { member_id: viewerId, email_address: 'viewer@acme.test', roles: ['stytch_member', 'viewer'] })
  t.equal((await ctx.app.inject({ url: '/v1/organizations/acme/members/member-test-nobody', headers: bearer(admin.session_jwt) })).statusCode, 404)

  // The session rides along: revoked behind the API's back, Stytch refuses the search.
  await ctx.app.stytch.client.sessions.revoke({ member_session_id: admin.session.member_session_id })
  const revoked = await ctx.app.inject({ url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt) })
  t.equal(revoked.statusCode, 401)
  t.equal(revoked.json().code, 'session_revoked')
  t.ok(((await emulatorCalls(ctx.emulator))[MEMBERS_SEARCH] ?? 0) >= 1)
})

t.test('invitations: list, resend (a fresh link that logs in), revoke (only while invited)', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const invite = async (email: string) => (await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: email, roles: ['editor'] } })).json<{ member_id: string }>()
  const ann = await invite('ann@acme.test')
  const bob = await invite('bob@acme.test')

  const listed = await ctx.app.inject({ url: '/v1/organizations/acme/invitations', headers: bearer(admin.session_jwt) })
  t.equal(listed.statusCode, 200)
  t.same(listed.json().members.map((m: { email_address: string }) => m.email_address).sort(), ['ann@acme.test', 'bob@acme.test'])
  t.same((await ctx.app.inject({ url: '/v1/organizations/acme/invitations?email=bo', headers: bearer(admin.session_jwt) })).json().members.map((m: { member_id: string }) => m.member_id), [bob.member_id])

  const firstLink = await latestToken(ctx.emulator, 'ann@acme.test')
  const resent = await ctx.app.inject({ method: 'POST', url: `/v1/organizations/acme/invitations/${ann.member_id}/resend`, headers: bearer(admin.session_jwt) })
  t.equal(resent.statusCode, 200)
  t.match(resent.json(), { member_id: ann.member_id, status: 'invited', roles: ['stytch_member', 'editor'] })
  const secondLink = await latestToken(ctx.emulator, 'ann@acme.test')
  t.not(secondLink, firstLink, 'a fresh link was emailed')
  const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token: secondLink, delivery: 'body' } })
  t.equal(login.statusCode, 200, 'the resent link logs the invitee in')

  // Ann has joined: no longer an invitation.
  t.equal((await ctx.app.inject({ method: 'POST', url: `/v1/organizations/acme/invitations/${ann.member_id}/resend`, headers: bearer(admin.session_jwt) })).json().code, 'not_invited')
  const notInvited = await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/invitations/${ann.member_id}`, headers: bearer(admin.session_jwt) })
  t.equal(notInvited.statusCode, 409)
  t.equal(notInvited.json().code, 'not_invited')
  t.equal(memberByEmail(ctx, 'ann@acme.test')?.status, 'active', 'a joined member is not deleted by revokeInvitation')

  const bobLink = await latestToken(ctx.emulator, 'bob@acme.test')
  const revoked = await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/invitations/${bob.member_id}`, headers: bearer(admin.session_jwt) })
  t.equal(revoked.statusCode, 204)
  t.equal(memberByEmail(ctx, 'bob@acme.test'), undefined, 'the invited member is gone')
  const late = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token: bobLink, delivery: 'body' } })
  t.equal(late.statusCode, 401, 'the withdrawn invite link no longer logs in')
  t.same((await ctx.app.inject({ url: '/v1/organizations/acme/invitations', headers: bearer(admin.session_jwt) })).json().members, [])
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/invitations/${bob.member_id}`, headers: bearer(admin.session_jwt) })).statusCode, 404)
})

t.test('removeMember keeps the last active admin: an invited admin does not count', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const invited = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: 'future.admin@acme.test', roles: ['stytch_admin'] } })
  t.equal(invited.statusCode, 201)
  const remove = await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/members/${admin.member.member_id}`, headers: bearer(admin.session_jwt) })
  t.equal(remove.statusCode, 409)
  t.equal(remove.json().code, 'last_admin')
  t.equal(memberByEmail(ctx, 'admin@acme.test')?.status, 'active')
})
