/**
 * The main journey over a real port, driven by the client package as its users get it (built by
 * tsc from client/, see ./client-package.ts): its types are generated from openapi.yaml, so if the
 * spec and the server drift apart, this file stops type-checking or its assertions fail. The
 * journey runs twice: as mobile apps (bearer JWT, session token, X-Session-JWT) and as SPAs in a
 * browser (cookies; a small cookie jar stands in for the browser's).
 */
import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import type { ApiClient, Session, SessionChangeReason, components } from '../../client/src/index.js'
import { buildApp, emulatorCalls, emulatorPost, latestToken, TEST_ENV, type TestApp, AUTHENTICATE } from '../helper.js'
import { buildClientPackage, type ClientPackage } from './client-package.js'

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

/** A cookie as the jar keeps it. */
interface JarCookie { value: string, httpOnly: boolean, sameSite: string | undefined }

/**
 * What a browser does for a page script's fetch to the API, reduced to what the API relies on: the
 * page's Origin on every request, and the API's cookies stored from Set-Cookie and sent back only
 * when the request says `credentials: 'include'` (a cross-origin SPA). The SPA and the API are
 * taken to be same-site, as the README's set-up requires (SameSite=Lax cookies are not sent
 * cross-site).
 */
class BrowserJar {
  readonly cookies = new Map<string, JarCookie>()
  /** How many requests went out, and how many of them without `credentials: 'include'`. */
  requests = 0
  uncredentialed = 0
  constructor (readonly origin: string) {}

  readonly fetch = async (request: Request): Promise<Response> => {
    const headers = new Headers(request.headers)
    headers.set('origin', this.origin)
    this.requests++
    if (request.credentials !== 'include') this.uncredentialed++
    else if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, c]) => `${name}=${c.value}`).join('; '))
    const response = await fetch(new Request(request, { headers }))
    if (request.credentials === 'include') for (const line of response.headers.getSetCookie()) this.store(line)
    return response
  }

  private store (line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
    const at = pair.indexOf('=')
    const name = pair.slice(0, at)
    const value = pair.slice(at + 1)
    const attribute = (key: string): string | undefined => {
      const found = attributes.find((a) => a.toLowerCase().split('=')[0] === key)
      return found === undefined ? undefined : (found.split('=')[1] ?? '')
    }
    const maxAge = attribute('max-age')
    const expires = attribute('expires')
    if (value === '' || (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now())) {
      this.cookies.delete(name)
      return
    }
    this.cookies.set(name, { value, httpOnly: attribute('httponly') !== undefined, sameSite: attribute('samesite') })
  }

  /** A second browser holding copies of these cookies (a stolen or kept cookie, to see it refused). */
  copy (): BrowserJar {
    const other = new BrowserJar(this.origin)
    for (const [name, cookie] of this.cookies) other.cookies.set(name, { ...cookie })
    return other
  }
}

const SESSION_COOKIES = ['stytch_session', 'stytch_session_jwt']

/** One device of the journey: a client, and how its session can be copied to a second client. */
interface Device { client: ApiClient, clone: () => Promise<ApiClient>, holdsSession: () => Promise<boolean> }

interface Kit {
  mode: 'mobile' | 'browser'
  anonymous: () => ApiClient
  login: (email: string, organization: string) => Promise<Device & { login: Login }>
  /** Assertions about the whole journey of this mode. */
  finish: () => void
}

async function listen (t: Test, env: Record<string, string> = {}, emulator?: TestApp['emulator']): Promise<TestApp & { baseUrl: string }> {
  const built = await buildApp(t, { env, ...(emulator === undefined ? {} : { emulator }) })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = built.app.server.address() as AddressInfo
  return Object.assign(built, { baseUrl: `http://127.0.0.1:${port}` })
}

function mobileKit (t: Test, pkg: ClientPackage, { baseUrl, emulator }: TestApp & { baseUrl: string }): Kit {
  const anonymous = (): ApiClient => pkg.createApiClient({ baseUrl, mode: 'mobile' })
  return {
    mode: 'mobile',
    anonymous,
    async login (email, organization) {
      const client = anonymous()
      // A mobile app: its own PKCE pair (the package's), the challenge with the send, the verifier with the token.
      const { verifier, challenge } = await pkg.pkcePair()
      t.equal(challenge, createHash('sha256').update(verifier).digest('base64url'), 'the package\'s challenge is S256 of its verifier')
      const sent = expectData(t, await client.POST('/v1/auth/magic-links/send', { body: { email_address: email, organization, pkce_code_challenge: challenge } }), 202, `send link to ${email}`)
      t.match(sent, { status: 'sent' }, 'the JSON answer (an HTML form would get a page)')
      const token = await latestToken(emulator, email)
      const result = await client.POST('/v1/auth/magic-links/authenticate', { body: { token, delivery: 'body', pkce_code_verifier: verifier } })
      const body = expectData(t, result, 200, `authenticate ${email}`)
      t.equal(result.response.headers.get('set-cookie'), null, 'delivery=body sets no cookie')
      const { session_jwt: jwt, session_token: sessionToken } = body
      if (jwt === undefined || sessionToken === undefined) throw new Error('delivery=body must return session_jwt and session_token')
      await client.setSession({ session_jwt: jwt, session_token: sessionToken })
      t.same(await client.getSession(), { session_jwt: jwt, session_token: sessionToken }, 'the client keeps the session')
      return {
        client,
        login: body,
        clone: async () => pkg.createApiClient({ baseUrl, mode: 'mobile', session: await client.getSession() ?? { session_jwt: jwt, session_token: sessionToken } }),
        holdsSession: async () => (await client.getSession()) !== null
      }
    },
    finish: () => {}
  }
}

function browserKit (t: Test, pkg: ClientPackage, { baseUrl, emulator }: TestApp & { baseUrl: string }): Kit {
  const spaOrigin = TEST_ENV.CORS_ORIGINS as string
  const jars: BrowserJar[] = []
  const inBrowser = (jar: BrowserJar): ApiClient => {
    jars.push(jar)
    return pkg.createApiClient({ baseUrl, mode: 'browser', fetch: jar.fetch })
  }
  return {
    mode: 'browser',
    anonymous: () => inBrowser(new BrowserJar(spaOrigin)),
    async login (email, organization) {
      const jar = new BrowserJar(spaOrigin)
      const client = inBrowser(jar)
      // An SPA: no PKCE of its own; the API keeps the verifier in an HttpOnly cookie of this browser.
      const sent = expectData(t, await client.POST('/v1/auth/magic-links/send', { body: { email_address: email, organization } }), 202, `send link to ${email}`)
      t.match(sent, { status: 'sent' }, 'the JSON answer (an HTML form would get a page)')
      t.equal(jar.cookies.get('stytch_pkce_verifier')?.httpOnly, true, 'the send left an HttpOnly verifier cookie')
      const token = await latestToken(emulator, email)
      const body = expectData(t, await client.POST('/v1/auth/magic-links/authenticate', { body: { token, delivery: 'cookie' } }), 200, `authenticate ${email}`)
      t.equal(body.session_token, undefined, 'cookie delivery: no session token in the body')
      t.equal(body.session_jwt, undefined, 'cookie delivery: no session JWT in the body')
      for (const name of SESSION_COOKIES) {
        t.match(jar.cookies.get(name), { httpOnly: true, sameSite: 'Lax' }, `${name}: HttpOnly, SameSite=Lax`)
      }
      t.notOk(jar.cookies.has('stytch_pkce_verifier'), 'the verifier cookie is spent')
      t.equal(await client.getSession(), null, 'browser mode holds no session secret')
      return {
        client,
        login: body,
        clone: async () => inBrowser(jar.copy()),
        holdsSession: async () => SESSION_COOKIES.some((name) => jar.cookies.has(name))
      }
    },
    finish: () => {
      t.ok(jars.reduce((n, jar) => n + jar.requests, 0) > 30, 'the journey went through the jars')
      t.equal(jars.reduce((n, jar) => n + jar.uncredentialed, 0), 0, 'browser mode sent every request with credentials: include')
    }
  }
}

async function journey (t: Test, kit: Kit): Promise<void> {
  const anonymous = kit.anonymous()

  // --- login (twice: a phone and a laptop) ---
  const phone = await kit.login('editor@acme.test', 'acme')
  const laptop = await kit.login('editor@acme.test', 'acme')
  t.not(phone.login.session.member_session_id, laptop.login.session.member_session_id, 'two distinct sessions')
  const editor = phone.client

  // --- me ---
  expectError(t, await anonymous.GET('/v1/me'), 401, 'missing_credentials', 'getMe without credentials')
  const me = expectData(t, await editor.GET('/v1/me'), 200, 'getMe')
  t.equal(me.member.email_address, 'editor@acme.test')
  t.equal(me.organization.organization_slug, 'acme')
  t.equal(me.session.member_session_id, phone.login.session.member_session_id)
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
  const idempotencyKey = `journey-${kit.mode}-${phone.login.session.member_session_id}`
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
  const admin = (await kit.login('admin@acme.test', 'acme')).client
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
  t.same(sessions.map((s) => s.member_session_id).sort(), [phone.login.session.member_session_id, laptop.login.session.member_session_id].sort(), 'both sessions are listed')
  t.same(sessions.filter((s) => s.current).map((s) => s.member_session_id), [phone.login.session.member_session_id], 'exactly the requesting session is current')
  t.ok(sessions.every((s) => s.device !== undefined && s.device.ip !== undefined && s.device.first_seen !== ''), 'each session shows the device it logged in from')

  const laptopChanges: Array<SessionChangeReason> = []
  laptop.client.onSessionChange((_session, reason) => { laptopChanges.push(reason) })
  expectData(t, await laptop.client.GET('/v1/me'), 200, 'the laptop session works before the revoke')
  const revoked = await editor.DELETE('/v1/me/sessions/{sessionId}', { params: { path: { sessionId: laptop.login.session.member_session_id } } })
  t.equal(revoked.response.status, 204, 'revokeSession: 204')
  expectError(t, await laptop.client.GET('/v1/me'), 401, 'session_revoked', 'the revoked session is refused')
  t.same(laptopChanges, ['refused'], 'the laptop client is told its session is over')
  t.equal(await laptop.holdsSession(), false, kit.mode === 'mobile' ? 'the laptop client forgot the refused session' : 'the API cleared the laptop browser\'s cookies')
  const remaining = expectData(t, await editor.GET('/v1/me/sessions'), 200, 'listSessions after the revoke').sessions
  t.same(remaining.map((s) => s.member_session_id), [phone.login.session.member_session_id], 'only the current session is left')

  // --- logout: signOut, and the session's credentials, kept elsewhere, are refused at once ---
  const kept = await phone.clone()
  const phoneChanges: Array<Session | null> = []
  editor.onSessionChange((session) => { phoneChanges.push(session) })
  t.equal(await editor.signOut(), true, 'signOut: the API confirmed the logout (204)')
  t.same(phoneChanges, [null], 'signOut reports the session gone')
  t.equal(await phone.holdsSession(), false, 'no session left on the phone')
  expectError(t, await editor.GET('/v1/me'), 401, 'missing_credentials', 'getMe after signOut: nothing to send')
  expectError(t, await kept.GET('/v1/me'), 401, 'session_revoked', 'getMe with the logged-out session\'s credentials')
  expectData(t, await admin.GET('/v1/me'), 200, 'the admin session is untouched')

  // --- audit trail: the admin reads what happened ---
  const audit = expectData(t, await admin.GET('/v1/organizations/{organizationId}/audit-events', {
    params: { path: documentsPath, query: { type: ['logout', 'session_revoked'], actor: me.member.member_id } }
  }), 200, 'listAuditEvents as admin')
  t.same(audit.events.map((e) => e.type), ['logout', 'session_revoked'], 'the editor\'s revoke and logout, newest first')
  t.equal(audit.events[1]?.target_session_id, laptop.login.session.member_session_id, 'which session was revoked')
  kit.finish()
}

let pkg: ClientPackage
t.before(async () => { pkg = await buildClientPackage(t) })

t.test('mobile apps (bearer): the built client drives the main journey over a real port', async (t) => {
  await journey(t, mobileKit(t, pkg, await listen(t)))
})

t.test('SPAs in a browser (cookies): the built client drives the main journey over a real port', async (t) => {
  await journey(t, browserKit(t, pkg, await listen(t)))
})

t.test('mobile: a stale JWT is swapped for the X-Session-JWT the API hands back, kept in the storage, and used from then on', async (t) => {
  const api = await listen(t, { JWT_CLOCK_TOLERANCE_SECONDS: '0' })
  const { emulator } = api
  await emulatorPost(emulator, '/emulator/config', { jwt_lifetime_seconds: 2 })
  let stored: Session | null = null
  const saves: Array<Session | null> = []
  const storage = { load: async () => stored, save: async (session: Session | null) => { stored = session; saves.push(session) } }
  const kit = mobileKit(t, pkg, api)
  const { login } = await kit.login('editor@acme.test', 'acme')
  if (login.session_jwt === undefined || login.session_token === undefined) throw new Error('no tokens')
  // The app starts again: the session comes from its storage.
  stored = { session_jwt: login.session_jwt, session_token: login.session_token }
  const client = pkg.createApiClient({ baseUrl: api.baseUrl, mode: 'mobile', storage, refreshMarginSeconds: 0 })
  const changes: SessionChangeReason[] = []
  client.onSessionChange((_session, reason) => { changes.push(reason) })
  const authenticateCalls = async (): Promise<number> => (await emulatorCalls(emulator))[AUTHENTICATE] ?? 0

  const before = await authenticateCalls()
  const fast = await client.GET('/v1/me')
  expectData(t, fast, 200, 'getMe with the fresh JWT')
  t.equal(fast.response.headers.get('x-session-jwt'), null, 'the fast path hands back nothing')
  t.equal(await authenticateCalls(), before, 'the fast path asked Stytch nothing')

  // The JWT expires (the emulator minted it for 2 s); the next one will live 5 minutes.
  const expiry = pkg.jwtExpiry(login.session_jwt)
  if (expiry === undefined) throw new Error('the JWT has no exp')
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now()) + 100))
  await emulatorPost(emulator, '/emulator/config', { jwt_lifetime_seconds: 300 })
  const slow = await client.GET('/v1/me')
  t.equal(expectData(t, slow, 200, 'getMe once the JWT has expired').member.email_address, 'editor@acme.test')
  const rotated = slow.response.headers.get('x-session-jwt')
  t.type(rotated, 'string', 'the slow path handed back a fresh JWT in X-Session-JWT')
  t.equal(await authenticateCalls(), before + 1, 'one Stytch call, with the session token')
  t.same(await client.getSession(), { session_jwt: rotated, session_token: login.session_token }, 'the client keeps the fresh JWT (the token stays)')
  t.same(stored, { session_jwt: rotated, session_token: login.session_token }, 'and saved it in the storage')
  t.same(changes, ['rotated'], 'onSessionChange: rotated')

  const after = await client.GET('/v1/me')
  expectData(t, after, 200, 'getMe with the rotated JWT')
  t.equal(after.response.headers.get('x-session-jwt'), null, 'back on the fast path')
  t.equal(await authenticateCalls(), before + 1, 'no further Stytch call')

  // Another instance of the API thinks JWTs older than 1 s are too old (its JWT_MAX_AGE_SECONDS):
  // the client did not know, sent the JWT, got 401 session_expired, and sends once more with the token.
  const strict = await listen(t, { JWT_CLOCK_TOLERANCE_SECONDS: '0', JWT_MAX_AGE_SECONDS: '1' }, emulator)
  const session = await client.getSession()
  if (session === null) throw new Error('no session')
  const strictClient = pkg.createApiClient({ baseUrl: strict.baseUrl, mode: 'mobile', session })
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const retried = await strictClient.POST('/v1/organizations/{organizationId}/documents', {
    params: { path: { organizationId: login.organization.organization_id } },
    body: { title: 'sent twice, created once', body: '' }
  })
  t.equal(expectData(t, retried, 201, 'createDocument after a 401 session_expired and the retry with the token').title, 'sent twice, created once', 'the body went along the second time')
  const fresh = retried.response.headers.get('x-session-jwt')
  t.type(fresh, 'string', 'the retry got a fresh JWT')
  t.equal((await strictClient.getSession())?.session_jwt, fresh, 'and the client keeps it')
  const list = expectData(t, await strictClient.GET('/v1/organizations/{organizationId}/documents', { params: { path: { organizationId: login.organization.organization_id } } }), 200, 'listDocuments')
  t.equal(list.documents.filter((d) => d.title === 'sent twice, created once').length, 1, 'the document exists once: the refused first send did nothing')

  t.equal(await client.signOut(), true, 'signOut')
  t.equal(stored, null, 'the storage forgets the session')
  t.same(saves.at(-1), null)
  t.same(changes, ['rotated', 'signed_out'])
  t.equal(await client.signOut(), false, 'signOut without a session: nothing to do')
})

t.test('mobile: a session Stytch no longer knows (401 session_not_found) is forgotten, as a revoked one is', async (t) => {
  const api = await listen(t, {})
  let stored: Session | null = { session_jwt: 'not.a.jwt', session_token: 'A'.repeat(44) }
  const client = pkg.createApiClient({ baseUrl: api.baseUrl, mode: 'mobile', storage: { load: () => stored, save: (session) => { stored = session } } })
  const changes: SessionChangeReason[] = []
  client.onSessionChange((_session, reason) => { changes.push(reason) })
  expectError(t, await client.GET('/v1/me'), 401, 'session_not_found', 'an unreadable JWT goes as stale: the token is sent, and Stytch has no such session')
  t.same(changes, ['refused'], 'onSessionChange: refused')
  t.equal(await client.getSession(), null, 'the client forgot the session')
  t.equal(stored, null, 'and the storage too')
})

t.test('the session controls without a server: a session set while the storage loads wins; browser mode holds nothing', async (t) => {
  let release: (session: Session) => void = () => {}
  const stale: Session = { session_jwt: 'a.b.c', session_token: 'stored-token' }
  const saved: Array<Session | null> = []
  const client = pkg.createApiClient({
    baseUrl: 'http://127.0.0.1:1',
    mode: 'mobile',
    storage: { load: async () => await new Promise<Session>((resolve) => { release = resolve }), save: (session) => { saved.push(session) } }
  })
  const fresh: Session = { session_jwt: 'd.e.f', session_token: 'fresh-token' }
  await client.setSession(fresh)
  release(stale)
  t.same(await client.getSession(), fresh, 'the slow load did not undo setSession')
  t.same(saved, [fresh], 'saved once')
  t.equal(pkg.jwtExpiry('not a jwt'), undefined, 'an unreadable JWT has no expiry (sent as stale: the token goes instead)')

  const browser = pkg.createApiClient({ baseUrl: 'http://127.0.0.1:1', mode: 'browser' })
  t.equal(browser.mode, 'browser')
  t.equal(await browser.getSession(), null, 'browser mode: no session in script reach')
  await t.rejects(browser.setSession(fresh), /HttpOnly cookies/, 'browser mode: nothing to set')
})
