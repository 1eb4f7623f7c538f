import t from 'tap'
import { buildApp, loginForTokens } from '../helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('revokeMemberSessions: an admin cuts a member off at once; others may not', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const editor = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const viewer1 = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const viewer2 = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const url = `/v1/organizations/acme/members/${viewer1.member.member_id}/sessions/revoke`

  t.equal((await ctx.app.inject({ method: 'POST', url, headers: bearer(editor.session_jwt) })).statusCode, 403)
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(viewer1.session_jwt) })).statusCode, 200)

  const response = await ctx.app.inject({ method: 'POST', url, headers: bearer(admin.session_jwt) })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { revoked: 2 })
  for (const session of [viewer1, viewer2]) {
    const me = await ctx.app.inject({ url: '/v1/me', headers: bearer(session.session_jwt) })
    t.equal(me.statusCode, 401)
    t.equal(me.json().code, 'session_revoked')
  }
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(admin.session_jwt) })).statusCode, 200, 'the admin is unaffected')
})

t.test('removeMember deletes the member and ends their sessions at once', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const viewer = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const url = `/v1/organizations/acme/members/${viewer.member.member_id}`
  t.equal((await ctx.app.inject({ method: 'DELETE', url, headers: bearer(viewer.session_jwt) })).statusCode, 403, 'a viewer cannot remove members')
  const response = await ctx.app.inject({ method: 'DELETE', url, headers: bearer(admin.session_jwt) })
  t.equal(response.statusCode, 204)
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(viewer.session_jwt) })).statusCode, 401)
  t.equal([...ctx.emulator.state.members.values()].find((m) => m.member_id === viewer.member.member_id)?.status, 'deleted')
  t.equal((await ctx.app.inject({ method: 'DELETE', url, headers: bearer(admin.session_jwt) })).statusCode, 404, 'already removed')
})

t.test('lowering a member\'s roles revokes their sessions; raising them does not', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const editor = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const viewer = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const roles = (memberId: string) => `/v1/organizations/acme/members/${memberId}/roles`

  const raise = await ctx.app.inject({ method: 'PUT', url: roles(viewer.member.member_id), headers: bearer(admin.session_jwt), payload: { roles: ['viewer', 'editor'] } })
  t.equal(raise.statusCode, 200)
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(viewer.session_jwt) })).statusCode, 200, 'a promotion keeps the session')

  const lower = await ctx.app.inject({ method: 'PUT', url: roles(editor.member.member_id), headers: bearer(admin.session_jwt), payload: { roles: ['viewer'] } })
  t.equal(lower.statusCode, 200)
  const stale = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/documents', headers: bearer(editor.session_jwt), payload: { title: 'with my old editor JWT' } })
  t.equal(stale.statusCode, 401, 'the demoted member\'s JWT (still listing editor) is refused at once')
  t.equal(stale.json().code, 'session_revoked')
})
