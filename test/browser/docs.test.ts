import t from 'tap'
import type { Page } from 'playwright-core'
import { canRunBrowser, launchBrowser, listeningApp, openAndConfirm, requestLink, screenshotPath } from './browser-helper.js'

/** Expands an operation in Swagger UI, presses "Try it out" then "Execute"; returns its block. */
async function tryItOut (page: Page, tag: string, operationId: string) {
  const block = page.locator(`#operations-${tag}-${operationId}`)
  await block.locator('.opblock-summary').first().click()
  await block.locator('button.try-out__btn').click()
  await block.locator('button.execute').click()
  return block
}

t.test('Swagger UI at /docs renders every tag, and "Try it out" calls succeed (also logged in via the emailed link)', async (t) => {
  if (!canRunBrowser(t, 'Swagger UI')) return
  const app = await listeningApp(t)
  const spec = await (await fetch(`${app.direct}/docs/json`)).json() as { tags: Array<{ name: string }>, paths: Record<string, unknown> }
  const tags = spec.tags.map((tag) => tag.name)
  t.ok(tags.length > 0, 'the spec declares tags')

  const { context } = await launchBrowser(t)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => { errors.push(error.message) })

  // Logging in through the emailed link: its landing page's button sets the cookies and redirects to /docs.
  const link = await requestLink(context, app, 'editor@acme.test')
  t.ok(link.startsWith(`${app.origin}/v1/auth/magic-links/callback?`), 'the emailed link points at the API callback')
  const confirmed = await openAndConfirm(page, link)
  t.equal(confirmed?.status(), 303, 'the button logged the browser in')
  t.equal(new URL(page.url()).pathname.replace(/\/$/, ''), '/docs', 'the link lands on Swagger UI')
  const cookies = await context.cookies(app.origin)
  t.same(cookies.map((c) => c.name).sort(), ['stytch_session', 'stytch_session_jwt'], 'the link set both session cookies')

  await page.locator('.swagger-ui .info .title').waitFor()
  t.match(await page.locator('.swagger-ui .info .title').innerText(), /b2b-session-api/, 'the title renders')
  for (const tag of tags) {
    await page.locator(`#operations-tag-${tag}`).waitFor()
    t.pass(`tag "${tag}" is shown`)
  }
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'])
  const specOperations = Object.values(spec.paths).reduce<number>((n, item) => n + Object.keys(item as object).filter((k) => methods.has(k)).length, 0)
  t.equal(await page.locator('.opblock').count(), specOperations, `all ${specOperations} operations of the spec are listed`)

  // Anonymous-friendly call: the liveness probe.
  const health = await tryItOut(page, 'health', 'getLiveness')
  const healthStatus = health.locator('.live-responses-table .response .response-col_status').first()
  await healthStatus.waitFor()
  t.match(await healthStatus.innerText(), /^\s*200/, 'GET /healthz from the UI answers 200')

  // Cookie-authenticated call: the browser sends the HttpOnly session cookies itself.
  const me = await tryItOut(page, 'me', 'getMe')
  const meStatus = me.locator('.live-responses-table .response .response-col_status').first()
  await meStatus.waitFor()
  t.match(await meStatus.innerText(), /^\s*200/, 'GET /v1/me from the UI answers 200 with the cookies')
  const body = me.locator('.live-responses-table .response-col_description .microlight').first()
  await body.waitFor()
  t.match(await body.innerText(), /editor@acme\.test/, 'the response shows the logged-in member')

  await me.scrollIntoViewIfNeeded()
  const path = await screenshotPath('docs.png')
  await page.screenshot({ path, fullPage: true })
  t.comment(`screenshot: ${path}`)
  t.same(errors, [], 'no uncaught page errors')
})
