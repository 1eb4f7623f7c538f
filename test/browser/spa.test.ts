import t from 'tap'
import { canRunBrowser, latestLink, launchBrowser, listeningApp, openAndConfirm, requestLink, screenshotPath, servePage } from './browser-helper.js'

/**
 * The SPA and the API run on the same host (localhost) on different ports: different origins
 * (so every call is a CORS call) but the same site, so the SameSite=Lax session cookies are sent
 * on credentialed fetches, as for an SPA on app.example.com calling api.example.com.
 */

interface CallResult { status: number, body: unknown }
interface SpaApi {
  send: (email: string) => Promise<CallResult>
  authenticate: (token: string) => Promise<CallResult>
  me: () => Promise<CallResult>
  logout: () => Promise<CallResult>
}
type SpaWindow = Window & { api: SpaApi }

/** The SPA page: its own inline script calls the API with credentials: 'include'. */
function spaPage (api: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Test SPA</title>
<style>body{font:16px system-ui;margin:2em} #who{font-weight:bold} pre{background:#eee;padding:1em}</style></head>
<body>
<h1>Test SPA</h1>
<p>API: <code>${api}</code></p>
<p>Signed in as: <span id="who">nobody</span></p>
<pre id="log"></pre>
<script>
const API = ${JSON.stringify(api)}
const log = (line) => { document.getElementById('log').textContent += line + '\\n' }
async function call (method, path, body) {
  const response = await fetch(API + path, {
    method,
    credentials: 'include',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  })
  const text = await response.text()
  log(method + ' ' + path + ' -> ' + response.status)
  return { status: response.status, body: text === '' ? null : JSON.parse(text) }
}
window.api = {
  send: (email) => call('POST', '/v1/auth/magic-links/send', { email_address: email, organization: 'acme' }),
  authenticate: (token) => call('POST', '/v1/auth/magic-links/authenticate', { token }),
  me: async () => {
    const result = await call('GET', '/v1/me')
    document.getElementById('who').textContent = result.status === 200 ? result.body.member.email_address : 'nobody (' + result.status + ')'
    return result
  },
  logout: () => call('POST', '/v1/auth/logout')
}
</script>
</body></html>`
}

t.test('an SPA on an allowed origin logs in through a magic link, calls the API with credentials, cannot read the cookies, and logs out', async (t) => {
  if (!canRunBrowser(t, 'SPA on an allowed origin')) return
  // The SPA server starts first so its origin can be listed in CORS_ORIGINS; it names the API
  // origin in the page it serves once the API listens.
  let apiOrigin = ''
  const spa = await servePage(t, () => spaPage(apiOrigin))
  const app = await listeningApp(t, { CORS_ORIGINS: spa.origin })
  apiOrigin = app.origin

  const { context } = await launchBrowser(t)
  const page = await context.newPage()
  await page.goto(spa.origin)

  const email = 'viewer@acme.test'
  const sent = await page.evaluate(async (email) => await (window as unknown as SpaWindow).api.send(email), email)
  t.equal(sent.status, 202, 'the SPA asked for a login link')
  const token = new URL(await latestLink(app, email)).searchParams.get('token')
  if (token === null) throw new Error('the emailed link has no token')

  const verifier = (await context.cookies(app.origin)).find((c) => c.name === 'stytch_pkce_verifier')
  t.equal(verifier?.httpOnly, true, 'the send left an HttpOnly PKCE verifier cookie on the API origin')
  const login = await page.evaluate(async (token) => await (window as unknown as SpaWindow).api.authenticate(token), token)
  t.equal(login.status, 200, 'the SPA authenticated the token (cookie delivery; the verifier cookie went along)')
  t.notMatch(JSON.stringify(login.body), /session_token|session_jwt/, 'no session secret in the body')

  const me = await page.evaluate(async () => await (window as unknown as SpaWindow).api.me())
  t.equal(me.status, 200, 'GET /v1/me with credentials: include')
  await page.locator('#who').filter({ hasText: email }).waitFor()
  t.equal(await page.locator('#who').innerText(), email, 'the page shows the member')

  const documentCookie = await page.evaluate(() => document.cookie)
  t.notMatch(documentCookie, /stytch_session/, 'document.cookie in the SPA has no session cookie')
  const apiDocumentCookie = await (async () => {
    const apiPage = await context.newPage()
    await apiPage.goto(`${app.origin}/healthz`)
    const value = await apiPage.evaluate(() => document.cookie)
    await apiPage.close()
    return value
  })()
  t.notMatch(apiDocumentCookie, /stytch_session/, 'not even a page on the API origin can read them')
  const cookies = await context.cookies(app.origin)
  t.same(cookies.map((c) => c.name).sort(), ['stytch_session', 'stytch_session_jwt'], 'the browser holds both session cookies')
  for (const cookie of cookies) {
    t.equal(cookie.httpOnly, true, `${cookie.name} is HttpOnly`)
    t.equal(cookie.secure, true, `${cookie.name} is Secure (localhost is a secure context)`)
    t.equal(cookie.sameSite, 'Lax', `${cookie.name} is SameSite=Lax`)
  }

  const path = await screenshotPath('spa.png')
  await page.screenshot({ path, fullPage: true })
  t.comment(`screenshot: ${path}`)

  const logout = await page.evaluate(async () => await (window as unknown as SpaWindow).api.logout())
  t.equal(logout.status, 204, 'the SPA logged out')
  const after = await page.evaluate(async () => await (window as unknown as SpaWindow).api.me())
  t.equal(after.status, 401, 'GET /v1/me after logout is refused')
  t.same(await context.cookies(app.origin), [], 'logout cleared the cookies')
})

t.test('a page on a disallowed origin cannot make a cookie-authenticated state change', async (t) => {
  if (!canRunBrowser(t, 'page on a disallowed origin')) return
  const app = await listeningApp(t, { CORS_ORIGINS: 'http://localhost:1' })
  // Same site as the API (localhost), so the browser does attach the Lax cookies: only the API's
  // Origin check stands between this page and the session.
  const evil = await servePage(t, '<!doctype html><html><head><title>Not allowed</title></head><body><h1>Another origin</h1></body></html>')

  const { context } = await launchBrowser(t)
  const page = await context.newPage()
  await openAndConfirm(page, await requestLink(context, app, 'editor@acme.test'))
  t.equal(new URL(page.url()).pathname.replace(/\/$/, ''), '/docs', 'logged in through the emailed link')
  t.equal((await context.cookies(app.origin)).length, 2, 'the browser holds the session cookies')

  await page.goto(evil.origin)
  const logoutUrl = `${app.origin}/v1/auth/logout`
  // A CORS fetch: the API refuses it and, with no CORS grant, the page cannot even read the answer.
  const cors = await page.evaluate(async (url) => {
    try {
      const response = await fetch(url, { method: 'POST', credentials: 'include' })
      return `status ${response.status}`
    } catch (error) {
      return `rejected: ${String(error)}`
    }
  }, logoutUrl)
  t.match(cors, /^rejected: TypeError|^status 403$/, `CORS fetch: ${cors}`)
  // A no-cors (fire-and-forget) request still reaches the API with the cookies: the CSRF vector.
  // (Its answer is opaque, or blocked outright by the API's Cross-Origin-Resource-Policy.)
  const opaque = await page.evaluate(async (url) => {
    try {
      const response = await fetch(url, { method: 'POST', credentials: 'include', mode: 'no-cors' })
      return `answer: ${response.type}`
    } catch (error) {
      return `rejected: ${String(error)}`
    }
  }, logoutUrl)
  t.match(opaque, /^answer: opaque$|^rejected: TypeError/, `no-cors fetch: ${opaque}`)
  // A cross-origin form post: a top-level navigation (the test, not the page, reads its status).
  const [navigation] = await Promise.all([
    page.waitForNavigation(),
    page.evaluate((url) => {
      const form = document.createElement('form')
      form.method = 'POST'
      form.action = url
      document.body.append(form)
      form.submit()
    }, logoutUrl)
  ])
  t.equal(navigation?.status(), 403, 'the form post is refused with 403')

  // Fastify logs each request's url on "incoming request" and its status on "request completed".
  const statusOf = (line: Record<string, unknown>) => (line.res as { statusCode?: number } | undefined)?.statusCode
  const logoutIds = new Set(app.logs.filter((line) => (line.req as { url?: string } | undefined)?.url === '/v1/auth/logout').map((line) => line.reqId))
  const logoutStatuses = app.logs.filter((line) => logoutIds.has(line.reqId) && statusOf(line) !== undefined).map(statusOf)
  t.same(logoutStatuses, [403, 403, 403], 'the API refused all three cross-origin logouts with 403')

  // The session still works: same-origin navigation to /v1/me and an API request with the cookies.
  const me = await page.goto(`${app.origin}/v1/me`)
  t.equal(me?.status(), 200, 'a same-origin GET /v1/me still answers 200')
  t.match(await me?.text(), /editor@acme\.test/)
  const viaRequest = await context.request.get(`${app.origin}/v1/me`)
  t.equal(viaRequest.status(), 200, 'the browser context\'s cookies still authenticate')
  t.equal((await context.cookies(app.origin)).length, 2, 'the cookies were not cleared')
})
