/**
 * Swagger UI over plain http on a host that is not localhost (the Docker image reached by IP or
 * by name): with `upgrade-insecure-requests` in its CSP the browser would fetch the UI's scripts
 * over https and show a blank page. Chromium resolves docs.test to 127.0.0.1 here, so the origin
 * is a plain-http one that browsers do not exempt (as they exempt localhost).
 */
import t from 'tap'
import { chromium } from 'playwright-core'
import { ACTION_TIMEOUT, canRunBrowser, CHROMIUM, freePort } from './browser-helper.js'
import { buildApp } from '../helper.js'

t.test('Swagger UI renders over plain http on a non-localhost host', async (t) => {
  if (!canRunBrowser(t, 'Swagger UI over http')) return
  const port = await freePort()
  const origin = `http://docs.test:${port}`
  const { app } = await buildApp(t, { env: { PUBLIC_URL: origin } })
  await app.listen({ port, host: '127.0.0.1' })

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: ACTION_TIMEOUT,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP docs.test 127.0.0.1']
  })
  t.teardown(async () => { await browser.close() })
  const page = await browser.newPage()
  page.setDefaultTimeout(ACTION_TIMEOUT)
  const failed: string[] = []
  page.on('requestfailed', (request) => { failed.push(request.url()) })

  const response = await page.goto(`${origin}/docs/`, { waitUntil: 'load' })
  t.equal(response?.status(), 200)
  t.notMatch(response?.headers()['content-security-policy'] ?? '', /upgrade-insecure-requests/)
  await page.locator('.swagger-ui .info .title').waitFor()
  t.match(await page.locator('.swagger-ui .info .title').innerText(), /b2b-session-api/, 'the UI renders')
  t.same(failed, [], 'no subresource failed (none was upgraded to https)')
})
