// The browser callback of emailed links (issue 10, "Login flow"): opening a link never logs in nor
// spends it; only the landing page's same-origin POST does, with the browser's PKCE verifier.
import { Writable } from 'node:stream'
import t from 'tap'
import { printDevLogin } from '../../src/dev-login.js'
import { buildApp, emulatorPost, loginForTokens } from '../helper.js'
import {
  browserSend, confirm, confirmationForm, CROSS_SITE, FORM, latestMessage, offersNewLink, pathOf, SAME_ORIGIN, setsSession, update, type Jar
} from './login-flow.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('login CSRF: a cross-site GET of the callback with an attacker\'s token does not log the victim in', async (t) => {
  const { app, emulator } = await buildApp(t)
  // The attacker asks for a link to their own account in their own browser, and lures the victim to it.
  const attacker = await browserSend(app, {}, 'editor@acme.test')
  const link = (await latestMessage(emulator, 'editor@acme.test')).link
  // The victim recently asked for a link of their own: their browser holds a verifier too.
  const victim = (await browserSend(app, {}, 'viewer@acme.test')).jar

  const landing = await app.inject({ url: pathOf(link), cookies: victim, headers: { 'sec-fetch-site': 'cross-site' } })
  t.equal(landing.statusCode, 200)
  t.match(landing.headers['content-type'], /^text\/html/)
  t.notOk(setsSession(landing), 'the GET sets no session cookie')
  t.match(landing.body, /log in to <strong>acme<\/strong> as <strong>editor@acme\.test<\/strong>/, 'the page names whose account the link is for')

  // An auto-submitting form on the attacker's page: refused before anything is spent.
  const fields = confirmationForm(landing.body) ?? {}
  const refusedHeaders: Array<Record<string, string>> = [CROSS_SITE, { origin: 'https://evil.test' }, { 'sec-fetch-site': 'same-site' }, {}]
  for (const headers of refusedHeaders) {
    const posted = await confirm(app, victim, fields, headers)
    t.equal(posted.statusCode, 403, `confirmation from ${JSON.stringify(headers)} is refused`)
    t.equal(posted.json().code, 'origin_not_allowed')
    t.notOk(setsSession(posted))
  }
  // Even the victim pressing the button does not log them in as the attacker: their verifier is not the attacker's.
  const pressed = await confirm(app, victim, fields)
  t.equal(pressed.statusCode, 400)
  t.match(pressed.body, /requested from another browser/)
  t.notOk(setsSession(pressed), 'PKCE refused the victim\'s verifier')
  t.ok(offersNewLink(pressed.body), 'with a form to ask for a link of one\'s own')

  // And the link still works for the attacker, in the browser that asked for it: nothing above spent it.
  const own = await confirm(app, attacker.jar, fields)
  t.equal(own.statusCode, 303)
  t.ok(setsSession(own))
})

t.test('a GET or HEAD of an emailed link consumes nothing: scanners and previews leave it usable', async (t) => {
  const { app, emulator } = await buildApp(t)
  const { jar } = await browserSend(app, {}, 'admin@acme.test')
  const link = pathOf((await latestMessage(emulator, 'admin@acme.test')).link)
  const authenticateCalls = (): number => (emulator.state.calls.get('POST /v1/b2b/magic_links/authenticate') ?? 0)
  const before = authenticateCalls()
  // A mail scanner (no cookies), a link preview (HEAD), the member's own double open.
  for (const request of [{ method: 'GET' as const }, { method: 'HEAD' as const }, { method: 'GET' as const, cookies: jar }, { method: 'HEAD' as const, cookies: jar }, { method: 'GET' as const, cookies: jar }]) {
    const response = await app.inject({ url: link, ...request })
    t.equal(response.statusCode, 200, `${request.method} ${request.cookies === undefined ? 'without' : 'with'} the browser's cookies: the landing page`)
    t.notOk(setsSession(response))
  }
  t.equal(authenticateCalls(), before, 'opening the link never asked Stytch to authenticate it')
  const landing = await app.inject({ url: link, cookies: jar })
  const done = await confirm(app, jar, confirmationForm(landing.body) ?? {})
  t.equal(done.statusCode, 303, 'the link still logs in after five opens')
  const me = await app.inject({ url: '/v1/me', cookies: update(jar, done) })
  t.equal(me.json().member.email_address, 'admin@acme.test')
})

t.test('the landing page names the organization and the email, and logs in only on its button', async (t) => {
  const { app, emulator } = await buildApp(t)
  const { jar } = await browserSend(app, {}, 'Editor@ACME.test')
  const landing = await app.inject({ url: pathOf((await latestMessage(emulator, 'editor@acme.test')).link), cookies: jar })
  t.equal(landing.statusCode, 200)
  t.match(landing.body, /<h1>Log in to acme<\/h1>/)
  t.match(landing.body, /as <strong>editor@acme\.test<\/strong>/)
  t.notMatch(landing.body, /did not ask for this link/, 'this browser asked for it: no warning')
  t.equal(landing.headers['cache-control'], 'no-store')
  t.match(landing.headers['content-security-policy'], /default-src 'none'/)
  t.match(landing.headers['content-security-policy'], /frame-ancestors 'none'/)
  t.match(landing.headers['content-security-policy'], /form-action 'self'/)
  t.equal(landing.headers['referrer-policy'], 'strict-origin', 'form posts carry a real Origin, the token never leaves as a referrer')
  const fields = confirmationForm(landing.body)
  t.ok(fields?.token !== undefined && fields.context !== undefined, 'the button posts the token and the link\'s context')

  // Opened in another browser (no verifier): the page warns and offers a new link right there.
  const elsewhere = await app.inject({ url: pathOf((await latestMessage(emulator, 'editor@acme.test')).link) })
  t.match(elsewhere.body, /This browser did not ask for this link/)
  t.ok(offersNewLink(elsewhere.body))
  t.match(elsewhere.body, /name="email_address" type="email"[^>]* value="editor@acme\.test"/, 'prefilled with the link\'s address')

  // A context that was not sealed by this API (forged to name someone else) names nobody.
  const forged = new URL(`http://x${pathOf((await latestMessage(emulator, 'editor@acme.test')).link)}`)
  forged.searchParams.set('context', Buffer.from('{"k":"login","o":"victim-corp","e":"ceo@victim.test","x":9999999999999}').toString('base64url'))
  const page = await app.inject({ url: `${forged.pathname}${forged.search}`, cookies: jar })
  t.notMatch(page.body, /victim/, 'a forged context is ignored')
  t.match(page.body, /cannot tell which organization or account/)
})

t.test('an invite (no PKCE possible) lands on a page naming the organization and the invitee, and logs in only on a same-origin POST', async (t) => {
  const { app, emulator } = await buildApp(t)
  const admin = await loginForTokens(app, emulator, 'admin@acme.test')
  const invited = await app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: 'New.Hire@partner.test' } })
  t.equal(invited.statusCode, 201)
  const message = await latestMessage(emulator, 'new.hire@partner.test')
  t.equal(message.pkce_code_challenge, null, 'an invite is sent without a challenge')

  // The invitee's browser happens to hold a verifier (it asked for a login link elsewhere a minute ago).
  const jar: Jar = (await browserSend(app, {}, 'viewer@acme.test')).jar
  const landing = await app.inject({ url: pathOf(message.link), cookies: jar })
  t.equal(landing.statusCode, 200)
  t.match(landing.body, /<h1>Join acme<\/h1>/)
  t.match(landing.body, /invited to <strong>acme<\/strong> as <strong>new\.hire@partner\.test<\/strong>/)
  t.notOk(setsSession(landing))

  const fields = confirmationForm(landing.body) ?? {}
  t.equal((await confirm(app, jar, fields, {})).statusCode, 403, 'a POST that does not say it is same-origin is refused')
  const accepted = await confirm(app, jar, fields, { 'sec-fetch-site': 'same-origin' })
  t.equal(accepted.statusCode, 303, 'the explicit same-origin confirmation logs in (the browser\'s verifier is not needed, nor in the way)')
  const me = await app.inject({ url: '/v1/me', cookies: update(jar, accepted) })
  t.equal(me.json().member.email_address, 'new.hire@partner.test')
  t.ok('stytch_pkce_verifier' in update(jar, accepted), 'the verifier of the pending login link is kept')
})

t.test('a spent or expired link opened again gets a readable HTML page with a way to ask for a new link', async (t) => {
  const { app, emulator } = await buildApp(t)
  const { jar } = await browserSend(app, {}, 'viewer@acme.test')
  const link = pathOf((await latestMessage(emulator, 'viewer@acme.test')).link)
  const fields = confirmationForm((await app.inject({ url: link, cookies: jar })).body) ?? {}
  t.equal((await confirm(app, jar, fields)).statusCode, 303, 'first use logs in')

  // The second click: the landing page again (nothing can tell it is spent without spending it), then its button.
  const again = await app.inject({ url: link, cookies: jar })
  t.equal(again.statusCode, 200)
  const spent = await confirm(app, jar, confirmationForm(again.body) ?? {})
  t.equal(spent.statusCode, 410)
  t.match(spent.headers['content-type'], /^text\/html/)
  t.match(spent.body, /already been used or has expired/)
  t.ok(offersNewLink(spent.body), 'a form to ask for a new link')
  t.match(spent.body, /value="viewer@acme\.test"/, 'prefilled')
  t.match(spent.body, /href="http:\/\/api\.test:3000\/docs">Continue to the app/)
  t.notOk(setsSession(spent))

  // Expired at Stytch (its clock moved past the 15-minute lifetime).
  await browserSend(app, jar, 'editor@acme.test')
  const late = pathOf((await latestMessage(emulator, 'editor@acme.test')).link)
  const lateFields = confirmationForm((await app.inject({ url: late, cookies: jar })).body) ?? {}
  await emulatorPost(emulator, 'emulator/config', { clock_offset_seconds: 16 * 60 })
  const expired = await confirm(app, jar, lateFields)
  t.equal(expired.statusCode, 410)
  t.match(expired.body, /already been used or has expired/)

  // A truncated link (some mail programs break long lines).
  const truncated = await app.inject({ url: link.slice(0, link.indexOf('token=') + 12) })
  t.equal(truncated.statusCode, 400)
  t.match(truncated.headers['content-type'], /^text\/html/)
  t.match(truncated.body, /This link is incomplete/)
  t.ok(offersNewLink(truncated.body))
})

t.test('a link whose own context says it expired gets the expired page at once, without asking Stytch', async (t) => {
  const { app, emulator } = await buildApp(t, { env: { MAGIC_LINK_LOGIN_EXPIRATION_MINUTES: '5' } })
  const { jar } = await browserSend(app, {}, 'viewer@acme.test')
  const link = pathOf((await latestMessage(emulator, 'viewer@acme.test')).link)
  const realNow = Date.now
  Date.now = () => realNow() + 6 * 60_000
  t.teardown(() => { Date.now = realNow })
  const calls = emulator.state.calls.get('POST /v1/b2b/magic_links/authenticate') ?? 0
  const page = await app.inject({ url: link, cookies: jar })
  Date.now = realNow
  t.equal(page.statusCode, 410)
  t.match(page.body, /This link has expired/)
  t.match(page.body, /login link for <strong>viewer@acme\.test<\/strong>/)
  t.ok(offersNewLink(page.body))
  t.equal(emulator.state.calls.get('POST /v1/b2b/magic_links/authenticate') ?? 0, calls)
})

t.test('the "ask for a new link" form of the pages: an HTML form post of the same origin gets an HTML page and a verifier', async (t) => {
  const { app, emulator } = await buildApp(t)
  const payload = new URLSearchParams({ email_address: 'viewer@acme.test', organization: 'acme' }).toString()
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: { ...SAME_ORIGIN, 'content-type': FORM }, payload })
  t.equal(sent.statusCode, 200)
  t.match(sent.headers['content-type'], /^text\/html/)
  t.match(sent.body, /Check your email/)
  t.match(sent.body, /for 15 minutes, and only in this browser/)
  const jar = update({}, sent)
  t.ok(jar.stytch_pkce_verifier !== undefined, 'the form post set the verifier cookie')
  const landing = await app.inject({ url: pathOf((await latestMessage(emulator, 'viewer@acme.test')).link), cookies: jar })
  t.equal((await confirm(app, jar, confirmationForm(landing.body) ?? {})).statusCode, 303, 'and the new link logs this browser in')

  // Another site's form cannot make a browser ask for a link (and hold a verifier for it).
  const outbox = (await latestMessage(emulator, 'viewer@acme.test')).token
  const crossSite = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: { ...CROSS_SITE, 'content-type': FORM }, payload })
  t.equal(crossSite.statusCode, 403)
  t.equal(crossSite.cookies.length, 0)
  t.equal((await latestMessage(emulator, 'viewer@acme.test')).token, outbox, 'no link was sent')
  const twice = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: { ...SAME_ORIGIN, 'content-type': FORM }, payload: `${payload}&email_address=other@acme.test` })
  t.equal(twice.statusCode, 400, 'a field sent twice is refused, not "first wins"')
})

t.test('Stytch unreachable at the confirmation: an HTML page saying to retry; the link is not spent', async (t) => {
  const { app, emulator } = await buildApp(t, { env: { STYTCH_TIMEOUT_MS: '300' } })
  const { jar } = await browserSend(app, {}, 'viewer@acme.test')
  const fields = confirmationForm((await app.inject({ url: pathOf((await latestMessage(emulator, 'viewer@acme.test')).link), cookies: jar })).body) ?? {}
  await emulatorPost(emulator, 'emulator/faults', { down: 'refuse' })
  const down = await confirm(app, jar, fields)
  t.equal(down.statusCode, 503)
  t.match(down.headers['content-type'], /^text\/html/)
  t.ok(Number(down.headers['retry-after']) > 0)
  t.match(down.body, /unavailable right now/)
  const retry = confirmationForm(down.body)
  t.same(retry, fields, 'a "Try again" button posts the same link')
  await emulatorPost(emulator, 'emulator/faults', undefined, 'DELETE')
  t.equal((await confirm(app, jar, retry ?? {})).statusCode, 303, 'and it works once Stytch is back')
})

t.test('the embedded dev login prints a link without PKCE (no browser asked): its landing page does not warn, and its button logs in', async (t) => {
  const ctx = await buildApp(t)
  let printed = ''
  await printDevLogin(ctx.app, ctx.config, ctx.emulator, new Writable({ write (chunk: Buffer, _encoding, callback) { printed += chunk.toString('utf8'); callback() } }))
  const link = printed.split('\n').find((line) => line.startsWith('http'))
  if (link === undefined) throw new Error(`no dev link printed: ${printed}`)
  t.match(link, /^http:\/\/[a-z0-9.]+:\d+\/v1\/auth\/magic-links\/callback\?[^\s"'\\]+$/, 'the link alone on its line: nothing to trim')
  t.notOk(ctx.rawLogs.some((line) => line.includes(new URL(link).searchParams.get('token') ?? link)), 'the link\'s token is not in the logs')
  t.equal((await latestMessage(ctx.emulator, 'admin@acme.test')).pkce_code_challenge, null)
  const landing = await ctx.app.inject({ url: pathOf(link) })
  t.match(landing.body, /<h1>Log in to acme<\/h1>/)
  t.notMatch(landing.body, /did not ask for this link/, 'a link without PKCE works in any browser: no warning')
  const done = await confirm(ctx.app, {}, confirmationForm(landing.body) ?? {})
  t.equal(done.statusCode, 303)
  t.ok(setsSession(done))
})
