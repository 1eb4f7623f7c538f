import t from 'tap'
import { canRunBrowser, latestLink, launchBrowser, listeningApp, openAndConfirm, requestLink, screenshotPath, servePage } from './browser-helper.js'

/**
 * The magic-link pages in a real browser: Chromium sets Origin, Sec-Fetch-Site, the referrer
 * policy, CSP form-action and SameSite itself, so what these pages promise is checked against what
 * a browser actually sends.
 */

const sessionCookies = (cookies: Array<{ name: string }>): string[] => cookies.map((c) => c.name).filter((n) => n.startsWith('stytch_session')).sort()

t.test('in Chromium: ask for a link on the API\'s own page, confirm it on its landing page, land logged in; the second open says it is spent', async (t) => {
  if (!canRunBrowser(t, 'magic-link pages')) return
  const app = await listeningApp(t)
  const { context } = await launchBrowser(t)
  const page = await context.newPage()

  // Any landing page without a (whole) link offers the "ask for a new link" form.
  const incomplete = await page.goto(`${app.origin}/v1/auth/magic-links/callback`)
  t.equal(incomplete?.status(), 400)
  await page.locator('#email_address').fill('viewer@acme.test')
  await page.locator('#organization').fill('acme')
  const [sent] = await Promise.all([page.waitForNavigation(), page.locator('form[action="/v1/auth/magic-links/send"] button').click()])
  t.equal(sent?.status(), 200, 'the same-origin form post was accepted (a real Origin despite the API\'s referrer policy)')
  t.match(await page.locator('h1').innerText(), /Check your email/)
  const verifier = (await context.cookies(app.origin)).find((c) => c.name === 'stytch_pkce_verifier')
  t.equal(verifier?.httpOnly, true, 'the browser holds the HttpOnly PKCE verifier')
  t.equal(await page.evaluate(() => document.cookie), '', 'which no script can read')

  const link = await latestLink(app, 'viewer@acme.test')
  await page.goto(link)
  t.match(await page.locator('h1').innerText(), /Log in to acme/)
  t.match(await page.locator('main').innerText(), /viewer@acme\.test/)
  t.same(sessionCookies(await context.cookies(app.origin)), [], 'opening the link logged nobody in')
  const landingShot = await screenshotPath('magic-link-landing.png')
  await page.screenshot({ path: landingShot, fullPage: true })
  t.comment(`screenshot: ${landingShot}`)

  const confirmed = await openAndConfirm(page, link)
  t.equal(confirmed?.status(), 303)
  t.equal(new URL(page.url()).pathname.replace(/\/$/, ''), '/docs', 'redirected after the form post (CSP form-action allows the target)')
  const cookies = await context.cookies(app.origin)
  t.same(sessionCookies(cookies), ['stytch_session', 'stytch_session_jwt'], 'logged in')
  t.notOk(cookies.some((c) => c.name === 'stytch_pkce_verifier'), 'the verifier completed its one login and is gone')

  // The double click, an hour later: a readable page, not a JSON 401.
  const spent = await openAndConfirm(page, link)
  t.equal(spent?.status(), 410)
  t.match(await page.locator('h1').innerText(), /already been used or has expired/)
  t.equal(await page.locator('#email_address').inputValue(), 'viewer@acme.test', 'the form to ask for a new link is prefilled')
  const spentShot = await screenshotPath('magic-link-spent.png')
  await page.screenshot({ path: spentShot, fullPage: true })
  t.comment(`screenshot: ${spentShot}`)
})

t.test('in Chromium: a page of another origin cannot log the browser in with an attacker\'s link', async (t) => {
  if (!canRunBrowser(t, 'login CSRF')) return
  const app = await listeningApp(t)
  // The attacker's own browser asks for a link to the attacker's account.
  const attacker = await launchBrowser(t)
  const link = await requestLink(attacker.context, app, 'editor@acme.test')
  const token = new URL(link).searchParams.get('token') ?? ''

  // The attacker's page, on another origin of the same site (localhost): the browser even sends the Lax cookies to the API.
  const evil = await servePage(t, `<!doctype html><html><head><title>Win a prize</title></head><body>
<form id="f" method="post" action="${app.origin}/v1/auth/magic-links/callback"><input name="token" value="${token}"></form>
<a id="go" href="${link}">Claim</a></body></html>`)
  const victim = await launchBrowser(t)
  await requestLink(victim.context, app, 'viewer@acme.test') // the victim holds a verifier of their own
  const page = await victim.context.newPage()
  await page.goto(evil.origin)

  // 1. The auto-submitted form: refused, the token not even tried.
  const [posted] = await Promise.all([page.waitForNavigation(), page.evaluate(() => { (document.getElementById('f') as HTMLFormElement).submit() })])
  t.equal(posted?.status(), 403, 'the cross-origin form post is refused')
  t.same(sessionCookies(await victim.context.cookies(app.origin)), [], 'no session')

  // 2. The link itself, followed from the attacker's page: only the landing page, naming the attacker's account.
  await page.goto(evil.origin)
  await Promise.all([page.waitForNavigation(), page.locator('#go').click()])
  t.match(await page.locator('main').innerText(), /editor@acme\.test/, 'the page says whose account the link is for')
  t.same(sessionCookies(await victim.context.cookies(app.origin)), [], 'opening it logged nobody in')

  // 3. Even the victim pressing the button: PKCE refuses the victim's verifier for the attacker's link.
  const [pressed] = await Promise.all([page.waitForNavigation(), page.locator('form[action="/v1/auth/magic-links/callback"] button').click()])
  t.equal(pressed?.status(), 400)
  t.match(await page.locator('h1').innerText(), /requested from another browser/)
  t.same(sessionCookies(await victim.context.cookies(app.origin)), [], 'still no session')

  // The attacker's link was not spent by any of it.
  const attackerPage = await attacker.context.newPage()
  const own = await openAndConfirm(attackerPage, link)
  t.equal(own?.status(), 303, 'it still works in the browser that asked for it')
})
