import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { buildClientFiles } from '../e2e/client-package.js'
import { canRunBrowser, launchBrowser, latestLink, listeningApp, openAndConfirm } from './browser-helper.js'

/**
 * The client package in a real browser, as an SPA ships it: the built ESM files served by the SPA's
 * own server (an import map resolves `openapi-fetch`), `mode: 'browser'`. The SPA and the API run on
 * localhost on different ports: cross-origin (CORS, preflights) but same-site, so the SameSite=Lax
 * session cookies travel — the set-up the README prescribes. The login is the README's SPA flow:
 * the SPA asks for the link, the emailed link's landing page logs the browser in and redirects back
 * to the SPA (LOGIN_REDIRECT_URLS).
 */

interface Result { status: number, data?: unknown, error?: { code?: string } }
interface SpaWindow {
  call: (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) => Promise<Result>
  signOut: () => Promise<boolean>
  changes: string[]
}

const openapiFetch = fileURLToPath(new URL('../../node_modules/openapi-fetch/dist/index.mjs', import.meta.url))

/** The SPA's server: its page, the built client package under /client/, openapi-fetch. */
async function serveSpa (t: Test, dir: string, entry: string, api: () => string): Promise<string> {
  const page = (): string => `<!doctype html>
<html><head><meta charset="utf-8"><title>SPA with the client package</title>
<script type="importmap">${JSON.stringify({ imports: { 'openapi-fetch': '/vendor/openapi-fetch.mjs' } })}</script></head>
<body><h1>SPA</h1>
<script type="module">
import { createApiClient } from '/client/${entry}'
const api = createApiClient({ baseUrl: ${JSON.stringify(api())}, mode: 'browser' })
window.changes = []
api.onSessionChange((session, reason) => { window.changes.push(reason + ':' + String(session)) })
window.call = async (method, path, body) => {
  const { data, error, response } = await api[method](path, body === undefined ? {} : { body })
  return { status: response.status, data, error }
}
window.signOut = () => api.signOut()
</script>
</body></html>`
  const server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://spa').pathname
      if (path === '/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page())
      } else if (path === '/vendor/openapi-fetch.mjs') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(openapiFetch))
      } else if (path.startsWith('/client/') && basename(path) === path.slice('/client/'.length) && path.endsWith('.js')) {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(`${dir}/${basename(path)}`))
      } else {
        response.writeHead(404).end()
      }
    })().catch(() => { response.writeHead(500).end() })
  })
  await new Promise<void>((resolve, reject) => { server.once('error', reject).listen(0, '127.0.0.1', resolve) })
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve() }) }))
  return `http://localhost:${(server.address() as AddressInfo).port}`
}

t.test('an SPA ships the built client package: login through the emailed link, cookie calls with CORS, signOut', async (t) => {
  if (!canRunBrowser(t, 'client package in the browser')) return
  const { dir, entry } = await buildClientFiles(t)
  let apiOrigin = ''
  const spa = await serveSpa(t, dir, entry, () => apiOrigin)
  const app = await listeningApp(t, { CORS_ORIGINS: spa, LOGIN_REDIRECT_URLS: `${spa}/` })
  apiOrigin = app.origin

  const { context } = await launchBrowser(t)
  const page = await context.newPage()
  await page.goto(spa)
  await page.waitForFunction(() => typeof (window as unknown as SpaWindow).call === 'function')
  const call = async (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<Result> =>
    await page.evaluate(async ([method, path, body]) => await (window as unknown as SpaWindow).call(method, path, body), [method, path, body] as const)

  const email = 'editor@acme.test'
  t.match(await call('GET', '/v1/me'), { status: 401, error: { code: 'missing_credentials' } }, 'not logged in yet')
  t.match(await call('POST', '/v1/auth/magic-links/send', { email_address: email, organization: 'acme' }), { status: 202, data: { status: 'sent' } }, 'the SPA asked for a login link')
  t.equal((await context.cookies(app.origin)).find((c) => c.name === 'stytch_pkce_verifier')?.httpOnly, true, 'the verifier cookie landed in this browser')

  // The member opens the email in this browser: the landing page's button logs in and sends them back to the SPA.
  await openAndConfirm(page, await latestLink(app, email))
  await page.waitForURL(`${spa}/`)
  await page.waitForFunction(() => typeof (window as unknown as SpaWindow).call === 'function')
  const me = await call('GET', '/v1/me')
  t.match(me, { status: 200, data: { member: { email_address: email }, organization: { organization_slug: 'acme' } } }, 'back on the SPA, logged in: the cookies went with the client\'s requests')
  t.equal(await page.evaluate(() => document.cookie), '', 'the SPA sees no cookie of the session')

  const patched = await call('PATCH', '/v1/me', { name: 'Edith from the SPA' })
  t.match(patched, { status: 200, data: { name: 'Edith from the SPA' } }, 'a cookie-authenticated change from the allowed origin (preflight, Origin check)')

  t.equal(await page.evaluate(async () => await (window as unknown as SpaWindow).signOut()), true, 'signOut: 204')
  // (The page was loaded afresh by the landing page's redirect: the first 401 was another page's.)
  t.same(await page.evaluate(() => (window as unknown as SpaWindow).changes), ['signed_out:null'], 'onSessionChange: signOut')
  t.same((await context.cookies(app.origin)).filter((c) => c.name.startsWith('stytch_session')), [], 'the API cleared the session cookies')
  t.match(await call('GET', '/v1/me'), { status: 401, error: { code: 'missing_credentials' } }, 'logged out')
})
