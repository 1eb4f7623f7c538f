import t from 'tap'
import { buildApp, emulatorCalls, emulatorPost, loginForTokens } from '../helper.js'
import { assertApiError, listen, rawRequest } from './raw-http.js'

/**
 * Issue 14 item 4: an id that is a dot-segment (`..`, `%2E%2E`, `.`) or carries a `/` must never
 * reach the SDK, which would put it into a Stytch URL path: `DELETE .../organizations/{org}/members/..`
 * is `DELETE .../organizations/{org}/`, the delete-organization endpoint. Sent over a real socket:
 * node:http, unlike fetch and inject, keeps the path as written, as a hostile client would.
 */
const TRAVERSALS = ['..', '%2E%2E', '%2e%2e', '.', '%2E', '...', 'a%2F..', '..%2F..', '%2E%2E%2F%2E%2E', '..%5C..', 'member-test-x%2F..']

t.test('traversal ids are a 400 on every route with an id, and nothing reaches Stytch', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const auth = { authorization: `Bearer ${admin.session_jwt}` }
  const json = (body: object | undefined) => body === undefined ? {} : { body: JSON.stringify(body), headers: { ...auth, 'content-type': 'application/json' } }
  const port = await listen(ctx.app)
  // Warm the RBAC policy cache, so a permission check costs no call either.
  t.equal((await rawRequest(port, 'GET', '/v1/organizations/acme/documents', { headers: auth })).statusCode, 200)
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')

  const member = admin.member.member_id
  const document = '5f0c1c52-9a55-4d1e-9a0b-2f7f0b1e0a11'
  const routes: Array<[method: string, path: (id: string) => string, body?: object]> = [
    ['DELETE', (id) => `/v1/me/sessions/${id}`],
    ['PUT', (id) => `/v1/organizations/acme/members/${id}/roles`, { roles: [] }],
    ['POST', (id) => `/v1/organizations/acme/members/${id}/sessions/revoke`],
    ['DELETE', (id) => `/v1/organizations/acme/members/${id}`],
    ['GET', (id) => `/v1/organizations/acme/documents/${id}`],
    ['PATCH', (id) => `/v1/organizations/acme/documents/${id}`, { title: 'x' }],
    ['DELETE', (id) => `/v1/organizations/acme/documents/${id}`]
  ]
  for (const [method, path, body] of routes) {
    for (const id of TRAVERSALS) {
      const sent = json(body)
      const response = await rawRequest(port, method, path(id), { ...sent, headers: { ...(sent.headers ?? auth), 'if-match': '"v1"' } })
      t.equal(response.statusCode, 400, `${method} ${path(id)} → 400`)
      assertApiError(t, response.json(), 400, 'validation_failed', `${method} ${path(id)}`)
    }
  }

  // The organization in the path is checked against the session before anything else (403): a
  // traversal there never matches it, never reaches validation, and never reaches Stytch.
  const orgRoutes: Array<[method: string, path: (org: string) => string, body?: object]> = [
    ['GET', (org) => `/v1/organizations/${org}/documents`],
    ['POST', (org) => `/v1/organizations/${org}/documents`, { title: 'x' }],
    ['GET', (org) => `/v1/organizations/${org}/documents/${document}`],
    ['POST', (org) => `/v1/organizations/${org}/members`, { email_address: 'new@acme.test' }],
    ['PUT', (org) => `/v1/organizations/${org}/members/${member}/roles`, { roles: [] }],
    ['POST', (org) => `/v1/organizations/${org}/members/${member}/sessions/revoke`],
    ['DELETE', (org) => `/v1/organizations/${org}/members/${member}`]
  ]
  for (const [method, path, body] of orgRoutes) {
    for (const org of TRAVERSALS) {
      const response = await rawRequest(port, method, path(org), { headers: auth, ...json(body) })
      t.ok([400, 403].includes(response.statusCode), `${method} ${path(org)} → ${response.statusCode}`)
      assertApiError(t, response.json(), response.statusCode, /^(validation_failed|permission_denied)$/, `${method} ${path(org)}`)
    }
  }

  // A traversal in the body's organization reference (it becomes a Stytch organization_id).
  for (const organization of ['..', '.', '...', 'a/..']) {
    const response = await rawRequest(port, 'POST', '/v1/auth/magic-links/send', json({ email_address: 'admin@acme.test', organization }))
    t.equal(response.statusCode, 400, `send with organization ${organization}`)
  }

  // Unencoded segments after the id: no route has that shape, so the router answers 404 itself.
  for (const path of ['/v1/me/sessions/a/..', '/v1/organizations/acme/members/a/../roles', '/v1/organizations/acme/members/./sessions/revoke']) {
    const response = await rawRequest(port, 'DELETE', path, { headers: auth })
    t.equal(response.statusCode, 404, `${path} is no route`)
    assertApiError(t, response.json(), 404, 'route_not_found', path)
  }

  t.same(await emulatorCalls(ctx.emulator), {}, 'no call reached the emulator')
})

t.test('ids in Stytch\'s format still reach Stytch, which answers for them', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const headers = { authorization: `Bearer ${admin.session_jwt}` }
  for (const id of ['member-test-nobody', 'member-live-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01']) {
    const response = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${id}/roles`, headers, payload: { roles: [] } })
    t.equal(response.statusCode, 404, `${id}: unknown to Stytch`)
    t.equal(response.json().code, 'not_found')
  }
  const session = await ctx.app.inject({ method: 'DELETE', url: '/v1/me/sessions/session-test-0b0f1c7e-6f7c-4a57-9a57-5c1f3f0b2a11', headers })
  t.equal(session.statusCode, 404, 'a well-formed session id that is not mine')
  for (const id of ['organization-test-1', 'user-test-1', 'member-1', 'member-test-', 'MEMBER-test-1', 'member-prod-1']) {
    const response = await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/members/${id}`, headers })
    t.equal(response.statusCode, 400, `${id} is not a member id`)
  }
})
