import t from 'tap'
import { buildApp, cookiesOf, emulatorGet, latestToken, loginForCookies, loginForTokens, pkcePair } from '../helper.js'

t.test('browser login: magic link from the outbox → HttpOnly session cookies → /v1/me', async (t) => {
  const { app, emulator, config } = await buildApp(t)
  const { response, cookies } = await loginForCookies(app, emulator, 'editor@acme.test')
  const body = response.json()
  t.equal(body.member.email_address, 'editor@acme.test')
  t.equal(body.organization.organization_slug, 'acme')
  t.match(body.session.roles, ['stytch_member', 'editor'])
  t.notOk('session_token' in body, 'browser clients never see the tokens')
  t.notOk('session_jwt' in body)

  t.same(Object.keys(cookies).sort(), ['stytch_session', 'stytch_session_jwt'])
  const cleared = response.cookies.find((c) => c.name === 'stytch_pkce_verifier')
  t.ok(cleared !== undefined && cleared.value === '' && (cleared.expires?.getTime() ?? Infinity) < Date.now(), 'the PKCE verifier cookie is cleared: it completed its one login')
  const expectedMaxAge = config.SESSION_DURATION_MINUTES * 60
  for (const cookie of response.cookies.filter((c) => c.value !== '')) {
    t.equal(cookie.httpOnly, true, `${cookie.name} HttpOnly`)
    t.equal(cookie.secure, true, `${cookie.name} Secure`)
    t.equal(cookie.sameSite, 'Lax', `${cookie.name} SameSite=Lax`)
    t.equal(cookie.path, '/', `${cookie.name} Path=/`)
    t.ok(Math.abs((cookie.maxAge ?? 0) - expectedMaxAge) <= 5, `${cookie.name} Max-Age follows the session (${cookie.maxAge})`)
  }
  const me = await app.inject({ url: '/v1/me', cookies })
  t.equal(me.statusCode, 200)
  t.equal(me.json().member.member_id, body.member.member_id)
})

t.test('mobile login: its own PKCE challenge, delivery=body returns the tokens and no cookie is ever set', async (t) => {
  const { app, emulator } = await buildApp(t)
  const { verifier, challenge } = pkcePair()
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'viewer@acme.test', organization: 'acme', pkce_code_challenge: challenge } })
  t.equal(sent.statusCode, 202)
  t.equal(sent.cookies.length, 0, 'an app with its own challenge gets no verifier cookie')
  const token = await latestToken(emulator, 'viewer@acme.test')
  const response = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token, delivery: 'body', pkce_code_verifier: verifier } })
  t.equal(response.statusCode, 200)
  t.equal(response.cookies.length, 0)
  const body = response.json()
  t.type(body.session_token, 'string')
  t.match(body.session_jwt, /^ey[\w-]+\.[\w-]+\.[\w-]+$/)
})

t.test('a magic link works once and never again', async (t) => {
  const { app, emulator } = await buildApp(t)
  const { verifier, challenge } = pkcePair()
  await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'viewer@acme.test', organization: 'acme', pkce_code_challenge: challenge } })
  const token = await latestToken(emulator, 'viewer@acme.test')
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token, pkce_code_verifier: verifier } })).statusCode, 200)
  const again = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token, pkce_code_verifier: verifier } })
  t.equal(again.statusCode, 401)
  t.equal(again.json().code, 'invalid_magic_link')
  t.notMatch(again.body, token, 'the token is not echoed')
  const unknown = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token: 'A'.repeat(44) } })
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.json().code, 'invalid_magic_link')
})

t.test('sendLoginMagicLink answers identically whether or not the address is a member', async (t) => {
  const { app, emulator } = await buildApp(t)
  const cases = [
    { email_address: 'admin@acme.test', organization: 'acme' }, // member
    { email_address: 'newcomer@acme.test', organization: 'acme' }, // JIT sign-up allowed for the domain
    { email_address: 'stranger@elsewhere.test', organization: 'acme' }, // not a member, sign-up not allowed
    { email_address: 'admin@acme.test', organization: 'no-such-org' } // unknown organization
  ]
  const answers = []
  for (const payload of cases) {
    const response = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload })
    answers.push({ status: response.statusCode, body: response.body })
  }
  for (const answer of answers) t.same(answer, answers[0])
  t.equal(answers[0]?.status, 202)
  const { messages } = await emulatorGet<{ messages: Array<{ email_address: string, link: string }> }>(emulator, 'emulator/outbox')
  t.same(messages.map((m) => m.email_address).sort(), ['admin@acme.test', 'newcomer@acme.test'])
  for (const message of messages) {
    t.ok(message.link.startsWith('http://api.test:3000/v1/auth/magic-links/callback?'), 'links point at the configured callback')
  }
})

t.test('links are built from configuration, never from the Host header', async (t) => {
  const { app, emulator } = await buildApp(t)
  await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: { host: 'evil.test', 'x-forwarded-host': 'evil.test' }, payload: { email_address: 'admin@acme.test', organization: 'acme' } })
  const { messages } = await emulatorGet<{ messages: Array<{ link: string }> }>(emulator, 'emulator/outbox')
  t.notMatch(messages.at(-1)?.link, /evil/)
})

t.test('the emailed link logs the browser that asked for it in (landing page, then its button) and redirects only to allow-listed URLs', async (t) => {
  const { app, emulator } = await buildApp(t, { env: { LOGIN_REDIRECT_URLS: 'http://spa.test:5173/home,http://spa.test:5173/settings' } })
  const login = async (next?: string) => {
    const sent = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'admin@acme.test', organization: 'acme' } })
    const browser = cookiesOf(sent)
    const link = new URL((await emulatorGet<{ messages: Array<{ link: string }> }>(emulator, 'emulator/outbox?email=admin%40acme.test')).messages.at(-1)?.link ?? '')
    const landing = await app.inject({ url: `${link.pathname}${link.search}${next === undefined ? '' : `&next=${encodeURIComponent(next)}`}`, cookies: browser })
    t.equal(landing.statusCode, 200, 'opening the link shows the landing page')
    t.equal(landing.cookies.length, 0, 'and logs nobody in')
    const form = Object.fromEntries([...landing.body.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    return await app.inject({
      method: 'POST',
      url: '/v1/auth/magic-links/callback',
      headers: { origin: 'http://api.test:3000', 'content-type': 'application/x-www-form-urlencoded' },
      cookies: browser,
      payload: new URLSearchParams(form).toString()
    })
  }
  const landing = await login('http://spa.test:5173/settings')
  t.equal(landing.statusCode, 303)
  t.equal(landing.headers.location, 'http://spa.test:5173/settings')
  t.same(Object.keys(cookiesOf(landing)).sort(), ['stytch_session', 'stytch_session_jwt'], 'the button set the session cookies')
  const evil = await login('https://evil.test/phish')
  t.equal(evil.headers.location, 'http://spa.test:5173/home', 'an unlisted target falls back to the first allowed one')
})

t.test('login links are rate-limited per email address', async (t) => {
  const { app } = await buildApp(t, { env: { RATE_LIMIT_LOGIN_PER_EMAIL: '2' } })
  const send = async (email: string) => await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization: 'acme' } })
  t.equal((await send('viewer@acme.test')).statusCode, 202)
  t.equal((await send('VIEWER@acme.test')).statusCode, 202)
  const limited = await send('viewer@acme.test')
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'rate_limited')
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.equal((await send('editor@acme.test')).statusCode, 202, 'other addresses are unaffected')
})

t.test('login links are rate-limited per client IP', async (t) => {
  const { app } = await buildApp(t, { env: { RATE_LIMIT_LOGIN_PER_IP: '2' } })
  const send = async (remoteAddress: string, n: number) => await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', remoteAddress, headers: { 'x-forwarded-for': `10.0.0.${n}` }, payload: { email_address: `user${n}@acme.test`, organization: 'acme' } })
  t.equal((await send('192.0.2.1', 1)).statusCode, 202)
  t.equal((await send('192.0.2.1', 2)).statusCode, 202)
  const limited = await send('192.0.2.1', 3)
  t.equal(limited.statusCode, 429, 'X-Forwarded-For is ignored without a trusted proxy')
  t.equal(limited.json().code, 'rate_limited')
  t.equal((await send('192.0.2.2', 4)).statusCode, 202)
})

t.test('refreshSession swaps a session token for a fresh JWT', async (t) => {
  const { app, emulator } = await buildApp(t)
  const login = await loginForTokens(app, emulator, 'editor@acme.test')
  const response = await app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: login.session_token } })
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.match(body.session_jwt, /^ey/)
  t.equal(body.session.member_session_id, login.session.member_session_id)
  const bad = await app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: 'x'.repeat(44) } })
  t.equal(bad.statusCode, 401)
  t.equal(bad.json().code, 'session_not_found', 'a token no session has is not reported as revoked')
})
