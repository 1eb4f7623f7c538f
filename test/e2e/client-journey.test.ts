/**
 * The main journey, driven over a real port by a client generated from openapi.yaml
 * (openapi-typescript types in ./generated/api.d.ts + openapi-fetch). If the spec and the server
 * drift apart, either this file stops type-checking or its assertions fail.
 */
import type { AddressInfo } from 'node:net'
import createClient, { type Client } from 'openapi-fetch'
import t, { type Test } from 'tap'
import { buildApp, latestToken, pkcePair } from '../helper.js'
import type { components, paths } from '../../client/src/api.js'

type ApiClient = Client<paths>
type Login = components['schemas']['Login']
type ApiError = components['schemas']['ApiError']

/** The typed 2xx body of an openapi-fetch result, after asserting the status. */
function expectData<D> (t: Test, result: { data?: D, error?: unknown, response: Response }, status: number, what: string): D {
  t.equal(result.response.status, status, `${what}: ${status}`)
  if (result.data === undefined) throw new Error(`${what}: no data (status ${result.response.status}, error ${JSON.stringify(result.error)})`)
  return result.data
}

/** The typed error body of an openapi-fetch result, after asserting the status and code. */
function expectError (t: Test, result: { data?: unknown, error?: ApiError, response: Response }, status: number, code: string, what: string): ApiError {
  t.equal(result.response.status, status, `${what}: ${status}`)
  if (result.error === undefined) throw new Error(`${what}: expected an error body (status ${result.response.status})`)
  t.equal(result.error.statusCode, status, `${what}: statusCode in the body`)
  t.equal(result.error.code, code, `${what}: code ${code}`)
  t.type(result.error.requestId, 'string', `${what}: requestId`)
  return result.error
}

t.test('the generated client drives the main journey over a real port', async (t) => {
  const { app, emulator } = await buildApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`

  const anonymous: ApiClient = createClient<paths>({ baseUrl })
  /** A client that sends `Authorization: Bearer <jwt>` on every call (mobile / API client style). */
  const as = (jwt: string): ApiClient => createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${jwt}` } })

  async function login (email: string, organization: string): Promise<Login & { session_jwt: string, session_token: string }> {
    // A mobile app: its own PKCE pair, the challenge with the send, the verifier with the token.
    const { verifier, challenge } = pkcePair()
    const sent = expectData(t, await anonymous.POST('/v1/auth/magic-links/send', { body: { email_address: email, organization, pkce_code_challenge: challenge } }), 202, `send link to ${email}`)
    t.match(sent, { status: 'sent' }, 'the JSON answer (an HTML form would get a page)')
    const token = await latestToken(emulator, email)
    const result = await anonymous.POST('/v1/auth/magic-links/authenticate', { body: { token, delivery: 'body', pkce_code_verifier: verifier } })
    const body = expectData(t, result, 200, `authenticate ${email}`)
    t.equal(result.response.headers.get('set-cookie'), null, 'delivery=body sets no cookie')
    const { session_jwt: jwt, session_token: sessionToken } = body
    if (jwt === undefined || sessionToken === undefined) throw new Error('delivery=body must return session_jwt and session_token')
    t.equal(body.member.email_address, email)
    t.equal(body.organization.organization_slug, organization)
    return { ...body, session_jwt: jwt, session_token: sessionToken }
  }

  // --- login (twice: a phone and a laptop) ---
  const phone = await login('editor@acme.test', 'acme')
  const laptop = await login('editor@acme.test', 'acme')
  t.not(phone.session.member_session_id, laptop.session.member_session_id, 'two distinct sessions')
  const editor = as(phone.session_jwt)

  // --- me ---
  expectError(t, await anonymous.GET('/v1/me'), 401, 'missing_credentials', 'getMe without credentials')
  const me = expectData(t, await editor.GET('/v1/me'), 200, 'getMe')
  t.equal(me.member.email_address, 'editor@acme.test')
  t.equal(me.organization.organization_slug, 'acme')
  t.equal(me.session.member_session_id, phone.session.member_session_id)
  t.ok(me.session.roles.includes('editor'), 'the editor role is in the session')
  t.ok(me.session.authentication_factors.some((f) => f.type === 'magic_link'), 'logged in by magic link')
  const orgId = me.organization.organization_id

  // --- update profile ---
  const address: components['schemas']['ShippingAddress'] = { line1: '1 Main Street', city: 'Springfield', postal_code: '12345', country: 'US' }
  const profile = expectData(t, await editor.PATCH('/v1/me', { body: { name: 'Edith Editor', shipping_address: address } }), 200, 'updateMe')
  t.equal(profile.name, 'Edith Editor')
  t.equal(profile.email_address, 'editor@acme.test')
  t.equal(profile.member_id, me.member.member_id)
  t.same(profile.shipping_address, address)
  expectError(t, await editor.PATCH('/v1/me', { body: { shipping_address: { ...address, country: 'usa' } } }), 400, 'validation_failed', 'updateMe with a bad country')

  // --- documents: create (idempotent), read, update with If-Match, stale If-Match ---
  const documentsPath = { organizationId: orgId }
  const idempotencyKey = `journey-${phone.session.member_session_id}`
  const createResult = await editor.POST('/v1/organizations/{organizationId}/documents', {
    params: { path: documentsPath, header: { 'idempotency-key': idempotencyKey } },
    body: { title: 'Q3 plan', body: 'draft' }
  })
  const created = expectData(t, createResult, 201, 'createDocument')
  t.match(created, { organization_id: orgId, title: 'Q3 plan', body: 'draft', version: 1, created_by: me.member.member_id, updated_by: me.member.member_id })
  t.equal(createResult.response.headers.get('etag'), '"v1"')
  t.equal(createResult.response.headers.get('idempotent-replayed'), null, 'first create is not a replay')

  const replay = await editor.POST('/v1/organizations/{organizationId}/documents', {
    params: { path: documentsPath, header: { 'idempotency-key': idempotencyKey } },
    body: { title: 'Q3 plan', body: 'draft' }
  })
  t.equal(expectData(t, replay, 201, 'createDocument replay').id, created.id, 'the retry returns the same document')
  t.equal(replay.response.headers.get('idempotent-replayed'), 'true')
  expectError(t, await editor.POST('/v1/organizations/{organizationId}/documents', {
    params: { path: documentsPath, header: { 'idempotency-key': idempotencyKey } },
    body: { title: 'Something else', body: '' }
  }), 422, 'idempotency_key_reused', 'same key, other body')

  const documentPath = { organizationId: orgId, documentId: created.id }
  const read = await editor.GET('/v1/organizations/{organizationId}/documents/{documentId}', { params: { path: documentPath } })
  t.same(expectData(t, read, 200, 'getDocument'), created)
  const etag = read.response.headers.get('etag')
  if (etag === null) throw new Error('getDocument must send an ETag')
  t.equal(etag, '"v1"')

  expectError(t, await editor.PATCH('/v1/organizations/{organizationId}/documents/{documentId}', {
    params: { path: documentPath }, body: { title: 'no If-Match' }
  }), 428, 'precondition_required', 'updateDocument without If-Match')

  const update = await editor.PATCH('/v1/organizations/{organizationId}/documents/{documentId}', {
    params: { path: documentPath, header: { 'if-match': etag } },
    body: { title: 'Q3 plan (final)', body: 'ship it' }
  })
  const updated = expectData(t, update, 200, 'updateDocument with the current ETag')
  t.match(updated, { id: created.id, title: 'Q3 plan (final)', body: 'ship it', version: 2 })
  const freshEtag = update.response.headers.get('etag')
  t.equal(freshEtag, '"v2"')

  expectError(t, await editor.PATCH('/v1/organizations/{organizationId}/documents/{documentId}', {
    params: { path: documentPath, header: { 'if-match': etag } },
    body: { title: 'lost update' }
  }), 412, 'precondition_failed', 'updateDocument with the stale ETag')
  t.equal(expectData(t, await editor.GET('/v1/organizations/{organizationId}/documents/{documentId}', { params: { path: documentPath } }), 200, 'getDocument after 412').title,
    'Q3 plan (final)', 'the stale update wrote nothing')

  // --- list with pagination ---
  for (const title of ['second', 'third']) {
    expectData(t, await editor.POST('/v1/organizations/{organizationId}/documents', { params: { path: documentsPath }, body: { title, body: '' } }), 201, `createDocument ${title}`)
  }
  const listed: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = expectData(t, await editor.GET('/v1/organizations/{organizationId}/documents', {
      params: { path: documentsPath, query: { limit: 2, ...(cursor === undefined ? {} : { cursor }) } }
    }), 200, `listDocuments page ${pages + 1}`)
    t.ok(page.documents.length <= 2, 'at most limit per page')
    listed.push(...page.documents.map((d) => d.title))
    cursor = page.next_cursor ?? undefined
    pages++
  } while (cursor !== undefined && pages < 10)
  t.same(listed, ['Q3 plan (final)', 'second', 'third'], 'oldest first, across pages')
  t.equal(pages, 2, 'two pages of two')

  // --- delete: the editor may not, an admin may (with If-Match) ---
  expectError(t, await editor.DELETE('/v1/organizations/{organizationId}/documents/{documentId}', {
    params: { path: documentPath, header: { 'if-match': freshEtag ?? '' } }
  }), 403, 'permission_denied', 'deleteDocument as editor')
  const adminLogin = await login('admin@acme.test', 'acme')
  const admin = as(adminLogin.session_jwt)
  expectError(t, await admin.DELETE('/v1/organizations/{organizationId}/documents/{documentId}', {
    params: { path: documentPath, header: { 'if-match': etag } }
  }), 412, 'precondition_failed', 'deleteDocument with the stale ETag')
  const deleted = await admin.DELETE('/v1/organizations/{organizationId}/documents/{documentId}', {
    params: { path: documentPath, header: { 'if-match': freshEtag ?? '' } }
  })
  t.equal(deleted.response.status, 204, 'deleteDocument as admin: 204')
  t.equal(deleted.error, undefined)
  expectError(t, await editor.GET('/v1/organizations/{organizationId}/documents/{documentId}', { params: { path: documentPath } }), 404, 'not_found', 'getDocument after delete')

  // --- sessions: list, revoke the other one ---
  const sessions = expectData(t, await editor.GET('/v1/me/sessions'), 200, 'listSessions').sessions
  t.same(sessions.map((s) => s.member_session_id).sort(), [phone.session.member_session_id, laptop.session.member_session_id].sort(), 'both sessions are listed')
  t.same(sessions.filter((s) => s.current).map((s) => s.member_session_id), [phone.session.member_session_id], 'exactly the requesting session is current')

  const laptopClient = as(laptop.session_jwt)
  expectData(t, await laptopClient.GET('/v1/me'), 200, 'the laptop session works before the revoke')
  const revoked = await editor.DELETE('/v1/me/sessions/{sessionId}', { params: { path: { sessionId: laptop.session.member_session_id } } })
  t.equal(revoked.response.status, 204, 'revokeSession: 204')
  expectError(t, await laptopClient.GET('/v1/me'), 401, 'session_revoked', 'the revoked session is refused')
  const remaining = expectData(t, await editor.GET('/v1/me/sessions'), 200, 'listSessions after the revoke').sessions
  t.same(remaining.map((s) => s.member_session_id), [phone.session.member_session_id], 'only the current session is left')

  // --- logout ---
  const loggedOut = await editor.POST('/v1/auth/logout')
  t.equal(loggedOut.response.status, 204, 'logout: 204')
  expectError(t, await editor.GET('/v1/me'), 401, 'session_revoked', 'getMe after logout')
  expectData(t, await admin.GET('/v1/me'), 200, 'the admin session is untouched')
})
