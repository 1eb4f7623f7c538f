import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core'
import type { Test } from 'tap'
import { lastMessage } from '../emulator/helper.js'
import { buildApp, type TestApp } from '../helper.js'

/** Debian's Chromium; browsers are never downloaded. `.ci/run` installs the package. */
export const CHROMIUM = '/usr/bin/chromium'
export const ARTIFACTS = 'artifacts/browser'
/** Upper bound of one browser action (navigation, wait, click). */
export const ACTION_TIMEOUT = 20_000

/**
 * True when Chromium is there. Without it: a failure under CI, else a loud skip.
 */
export function canRunBrowser (t: Test, what: string): boolean {
  if (existsSync(CHROMIUM)) return true
  const reason = `${CHROMIUM} is missing (apt-get install chromium)`
  if (process.env.CI !== undefined) {
    t.fail(reason)
  } else {
    console.error(`\n${'!'.repeat(72)}\n!! SKIPPING browser test: ${what}. ${reason}\n${'!'.repeat(72)}\n`)
    t.test(what, { skip: reason }, async () => {})
  }
  return false
}

/** A headless Chromium closed at teardown, and a fresh context with the action timeout set. */
export async function launchBrowser (t: Test): Promise<{ browser: Browser, context: BrowserContext }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: ACTION_TIMEOUT,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.teardown(async () => { await browser.close() })
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  context.setDefaultTimeout(ACTION_TIMEOUT)
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT)
  return { browser, context }
}

/** A port free right now (the OS picks it; the listener is closed before returning). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject).listen(0, '127.0.0.1', resolve) })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return port
}

export interface ListeningApp extends TestApp {
  /** The origin the browser uses: http://localhost:<port> (PUBLIC_URL). */
  origin: string
  /** The same server as http://127.0.0.1:<port>, for the test's own (Node) requests. */
  direct: string
}

/**
 * The app listening on a real port. The browser reaches it as http://localhost:<port>, which is
 * also PUBLIC_URL (cookies, Origin checks and emailed links all use it). Chromium treats
 * localhost as a secure context, so the default Secure cookies are kept and work over http.
 */
export async function listeningApp (t: Test, env: Record<string, string> = {}): Promise<ListeningApp> {
  // The port is picked first because PUBLIC_URL must name it; retry if another process grabs it.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const origin = `http://localhost:${port}`
    const built = await buildApp(t, { env: { PUBLIC_URL: origin, ...env } })
    try {
      await built.app.listen({ port, host: '127.0.0.1' })
      return Object.assign(built, { origin, direct: `http://127.0.0.1:${port}` })
    } catch (error) {
      if (attempt >= 5 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
    }
  }
}

/**
 * A static HTML page served at / from http://localhost:<port>, closed at teardown. `html` may be
 * a function, read at each request (so the page can name a server started after this one).
 */
export async function servePage (t: Test, html: string | (() => string)): Promise<{ origin: string, server: Server }> {
  const server = createHttpServer((request, response) => {
    if (request.url === '/' || request.url?.startsWith('/?') === true) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      response.end(typeof html === 'string' ? html : html())
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve, reject) => { server.once('error', reject).listen(0, '127.0.0.1', resolve) })
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve() }) }))
  const { port } = server.address() as AddressInfo
  return { origin: `http://localhost:${port}`, server }
}

export async function screenshotPath (name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true })
  return `${ARTIFACTS}/${name}`
}

/** The newest emailed magic link (the full callback URL) for `email`. */
export async function latestLink (app: TestApp, email: string): Promise<string> {
  return (await lastMessage(app.emulator, email)).link
}

/**
 * The browser asks the API to email a login link to `email` (organization acme), as an app served
 * from the API's origin would: the API's PKCE verifier cookie lands in this browser context's
 * cookie jar. Returns the link.
 */
export async function requestLink (context: BrowserContext, app: ListeningApp, email: string): Promise<string> {
  const sent = await context.request.post(`${app.origin}/v1/auth/magic-links/send`, { data: { email_address: email, organization: 'acme' } })
  if (sent.status() !== 202) throw new Error(`send failed: ${sent.status()} ${await sent.text()}`)
  return await latestLink(app, email)
}

/** Opens an emailed link and presses the landing page's button; returns the answer to the button's form post. */
export async function openAndConfirm (page: Page, link: string): Promise<Response | null> {
  await page.goto(link)
  const [answer] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/v1/auth/magic-links/callback'),
    page.locator('form[action="/v1/auth/magic-links/callback"] button').click()
  ])
  await page.waitForLoadState('load')
  return answer
}
