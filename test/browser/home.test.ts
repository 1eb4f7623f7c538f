import t from 'tap'
import { printDevLogin } from '../../src/dev-login.js'
import { emulatorPost, loginForTokens } from '../helper.js'
import { canRunBrowser, launchBrowser, listeningApp, screenshotPath, servePage } from './browser-helper.js'

/**
 * The embedded default explains itself: the API's `/` page and the emulator's mailbox render in
 * Chromium, and a login link clicked in the mailbox lands logged in. Screenshots go to
 * artifacts/browser/ (home-anonymous.png, mailbox.png, home-logged-in.png).
 */
t.test('GET / and the emulator mailbox render in Chromium; the mailbox\'s login link logs the browser in', async (t) => {
  if (!canRunBrowser(t, 'home page and mailbox')) return
  const app = await listeningApp(t)
  // As server.ts does for the embedded default: a login link for the seeded admin, in the outbox.
  await printDevLogin(app.app, app.config, app.emulator)

  const { context } = await launchBrowser(t)
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => { problems.push(error.message) })
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })

  await page.goto(`${app.origin}/`)
  await page.locator('#anonymous').waitFor()
  t.match(await page.locator('h1').innerText(), /b2b-session-api/)
  t.match(await page.locator('#stytch').innerText(), /Stytch emulator/)
  t.match(await page.locator('#database').innerText(), /PGlite/)
  t.match(await page.locator('#anonymous').innerText(), /Not logged in/)
  t.equal(await page.locator('#docs').getAttribute('href'), '/docs')
  await page.screenshot({ path: await screenshotPath('home-anonymous.png'), fullPage: true })

  // The login link of the page leads to the mailbox, filtered to the seeded admin.
  await page.locator('#login-link').click()
  await page.waitForURL((url) => url.pathname === '/emulator/mailbox')
  t.equal(new URL(page.url()).searchParams.get('email'), 'admin@acme.test')
  const messages = page.locator('article.message')
  t.ok(await messages.count() >= 1, 'the start-up login link is in the mailbox')
  t.equal(await messages.first().locator('.to').innerText(), 'admin@acme.test')
  await page.screenshot({ path: await screenshotPath('mailbox.png'), fullPage: true })

  // Clicking it: the API's landing page, whose button logs in (then Swagger UI), and / knows who.
  await messages.first().locator('a.link').click()
  await page.waitForURL((url) => url.pathname === '/v1/auth/magic-links/callback')
  await Promise.all([
    page.waitForURL((url) => url.pathname.startsWith('/docs')),
    page.locator('form[action="/v1/auth/magic-links/callback"] button').click()
  ])
  t.same((await context.cookies(app.origin)).map((c) => c.name).sort(), ['stytch_session', 'stytch_session_jwt'], 'logged in')
  await page.goto(`${app.origin}/`)
  await page.locator('#member').waitFor()
  t.equal(await page.locator('#member').innerText(), 'admin@acme.test', 'the page says who is logged in')
  t.equal(await page.locator('#organization').innerText(), 'acme')
  await page.screenshot({ path: await screenshotPath('home-logged-in.png'), fullPage: true })

  // The JSON view of the outbox is still there beside the HTML one.
  const json = await context.request.get(`${app.emulator.url}emulator/outbox?email=admin%40acme.test`)
  t.ok(((await json.json()) as { messages: unknown[] }).messages.length >= 1, 'the JSON outbox')
  t.same(problems, [], 'no script errors and no CSP violations on either page')
})

/** An SPA on an allowed origin, calling the API with a bearer session: every header it needs is readable. */
function spaPage (api: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>SPA</title></head><body><h1>SPA</h1><script>
const API = ${JSON.stringify(api)}
window.call = async (method, path, token, headers = {}, body) => {
  const response = await fetch(API + path, {
    method,
    headers: { authorization: 'Bearer ' + token, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const read = {}
  for (const name of ['etag', 'location', 'retry-after', 'x-session-jwt', 'x-request-id', 'idempotent-replayed']) read[name] = response.headers.get(name)
  return { status: response.status, headers: read }
}
</script></body></html>`
}

interface Call { status: number, headers: Record<string, string | null> }
type SpaWindow = Window & { call: (method: string, path: string, token: string, headers?: Record<string, string>, body?: unknown) => Promise<Call> }

t.test('an SPA on an allowed origin reads ETag, Location, Retry-After, X-Session-JWT, X-Request-Id and Idempotent-Replayed (CORS exposed headers), and sends If-None-Match', async (t) => {
  if (!canRunBrowser(t, 'CORS exposed headers')) return
  let apiOrigin = ''
  const spa = await servePage(t, () => spaPage(apiOrigin))
  const app = await listeningApp(t, { CORS_ORIGINS: spa.origin })
  apiOrigin = app.origin
  const editor = await loginForTokens(app.app, app.emulator, 'editor@acme.test')
  const { context } = await launchBrowser(t)
  const page = await context.newPage()
  await page.goto(spa.origin)
  const call = async (method: string, path: string, token: string, headers?: Record<string, string>, body?: unknown): Promise<Call> =>
    await page.evaluate(async ([m, p, tk, h, b]) => await (window as unknown as SpaWindow).call(m as string, p as string, tk as string, h as Record<string, string>, b), [method, path, token, headers ?? {}, body] as const)

  const documents = '/v1/organizations/acme/documents'
  const created = await call('POST', documents, editor.session_jwt, { 'idempotency-key': 'spa-create-1' }, { title: 'From the SPA' })
  t.equal(created.status, 201)
  t.equal(created.headers.etag, '"v1"', 'ETag is readable')
  t.match(created.headers.location, /^\/v1\/organizations\/organization-[^/]+\/documents\/[0-9a-f-]{36}$/, 'Location is readable')
  const replayed = await call('POST', documents, editor.session_jwt, { 'idempotency-key': 'spa-create-1' }, { title: 'From the SPA' })
  t.equal(replayed.headers['idempotent-replayed'], 'true', 'Idempotent-Replayed is readable')
  t.match(created.headers['x-request-id'], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'X-Request-Id is readable')

  // A conditional read from the SPA (If-None-Match is an allowed request header): 304 with the same ETag.
  const location = created.headers.location ?? ''
  const unchanged = await call('GET', location, editor.session_jwt, { 'if-none-match': created.headers.etag ?? '' })
  t.equal(unchanged.status, 304, 'If-None-Match from the SPA: 304')
  t.equal(unchanged.headers.etag, '"v1"', 'with its ETag readable')

  // A bearer session token (no JWT): the API asks Stytch and hands the fresh JWT back in X-Session-JWT.
  const refreshed = await call('GET', '/v1/me', editor.session_token)
  t.equal(refreshed.status, 200)
  t.match(refreshed.headers['x-session-jwt'], /^ey[\w-]+\.[\w-]+\.[\w-]+$/, 'X-Session-JWT is readable')

  // Stytch down: a session token cannot be checked; 503 with Retry-After, readable.
  const other = await loginForTokens(app.app, app.emulator, 'viewer@acme.test')
  await emulatorPost(app.emulator, 'emulator/faults', { down: 'refuse' })
  const outage = await call('GET', '/v1/me', other.session_token)
  await emulatorPost(app.emulator, 'emulator/faults', undefined, 'DELETE')
  t.equal(outage.status, 503)
  t.match(outage.headers['retry-after'], /^\d+$/, 'Retry-After is readable')

  // X-Request-Id is exposed too (whichever response carries it): the grant names all six.
  const grant = await fetch(`${app.direct}/healthz`, { headers: { origin: spa.origin } })
  const exposed = (grant.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/)
  t.same([...exposed].sort(), ['etag', 'idempotent-replayed', 'location', 'retry-after', 'x-request-id', 'x-session-jwt'], 'Access-Control-Expose-Headers')
})
