// Sending links (issue 10, "Login flow"): PKCE on every login link (the browser's verifier cookie or
// the app's own challenge), and an explicit lifetime on every send.
import { createHash } from 'node:crypto'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { buildApp, emulatorPost, loginForTokens, pkcePair, TEST_ENV, verifierCookie } from '../helper.js'
import { browserSend, latestMessage } from './login-flow.js'

const S256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url')
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const minutesOf = (message: { sent_at: string, expires_at: string }): number => (Date.parse(message.expires_at) - Date.parse(message.sent_at)) / 60_000

t.test('a browser\'s send sets a short-lived HttpOnly __Host- verifier cookie, and the link carries its S256 challenge', async (t) => {
  const { app, emulator } = await buildApp(t, { env: { COOKIE_HOST_PREFIX: 'true' } })
  const { response } = await browserSend(app, {}, 'editor@acme.test')
  t.equal(response.statusCode, 202)
  const cookie = response.cookies.find((c) => c.name === '__Host-stytch_pkce_verifier')
  if (cookie === undefined) throw new Error('no verifier cookie')
  t.match(cookie.value, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
  t.equal(cookie.httpOnly, true)
  t.equal(cookie.secure, true)
  t.equal(cookie.sameSite, 'Lax')
  t.equal(cookie.path, '/')
  t.equal(cookie.domain, undefined, 'host-only, as __Host- requires')
  t.equal(cookie.maxAge, 15 * 60, 'lives as long as the link')
  t.equal(response.headers['cache-control'], 'no-store')
  t.equal((await latestMessage(emulator, 'editor@acme.test')).pkce_code_challenge, S256(cookie.value), 'challenge = base64url(SHA-256(verifier))')

  // The same browser asking again keeps its verifier: whichever of its links is opened first works.
  const jar = { [cookie.name]: cookie.value }
  const first = (await latestMessage(emulator, 'editor@acme.test')).token
  const again = await browserSend(app, jar, 'editor@acme.test')
  t.equal(verifierCookie(again.response)?.value, cookie.value, 'the verifier is kept (its Max-Age renewed)')
  t.equal((await latestMessage(emulator, 'editor@acme.test')).pkce_code_challenge, S256(cookie.value))
  const older = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', cookies: jar, payload: { token: first } })
  t.equal(older.statusCode, 200, 'the older link works in this browser')
})

t.test('authenticateMagicLink: the verifier from the body or the browser\'s cookie; missing or wrong is 400 pkce_failed and spends nothing', async (t) => {
  const { app, emulator } = await buildApp(t)
  const authenticate = async (payload: Record<string, string>, cookies: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { delivery: 'body', ...payload }, cookies, headers })

  const { jar } = await browserSend(app, {}, 'viewer@acme.test')
  const { token } = await latestMessage(emulator, 'viewer@acme.test')
  const refusals: Array<[string, Awaited<ReturnType<typeof authenticate>>]> = [
    ['no verifier (another browser, a scanner)', await authenticate({ token })],
    ['another browser\'s verifier cookie', await authenticate({ token }, { stytch_pkce_verifier: pkcePair().verifier })],
    ['a wrong verifier in the body', await authenticate({ token, pkce_code_verifier: pkcePair().verifier }, jar)],
    ['the verifier cookie twice (one planted beside ours)', await authenticate({ token }, {}, { cookie: `stytch_pkce_verifier=${jar.stytch_pkce_verifier ?? ''}; stytch_pkce_verifier=${pkcePair().verifier}` })]
  ]
  for (const [what, response] of refusals) {
    t.equal(response.statusCode, 400, what)
    t.equal(response.json().code, 'pkce_failed', what)
  }
  const ok = await authenticate({ token }, jar)
  t.equal(ok.statusCode, 200, 'the browser that asked logs in: the refusals spent nothing')

  // A mobile app: its own challenge on send, its verifier on authenticate.
  const app2 = pkcePair()
  await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'editor@acme.test', organization: 'acme', pkce_code_challenge: app2.challenge } })
  const mobile = (await latestMessage(emulator, 'editor@acme.test')).token
  t.equal((await authenticate({ token: mobile })).json().code, 'pkce_failed', 'without its verifier')
  t.equal((await authenticate({ token: mobile }, jar)).json().code, 'pkce_failed', 'with a browser\'s cookie instead')
  t.equal((await authenticate({ token: mobile, pkce_code_verifier: app2.verifier })).statusCode, 200, 'with its verifier')
  const badChallenge = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'editor@acme.test', organization: 'acme', pkce_code_challenge: 'plain-verifier' } })
  t.equal(badChallenge.statusCode, 400, 'a challenge that is not an S256 hash is refused')

  // An invite has no challenge: an app's explicit verifier is refused; a browser's cookie is not in the way.
  const admin = await loginForTokens(app, emulator, 'admin@acme.test')
  for (const email of ['one@partner.test', 'two@partner.test']) {
    t.equal((await app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: email } })).statusCode, 201)
  }
  const one = (await latestMessage(emulator, 'one@partner.test')).token
  t.equal((await authenticate({ token: one, pkce_code_verifier: app2.verifier })).json().code, 'pkce_failed', 'explicit verifier with an invite')
  t.equal((await authenticate({ token: one })).statusCode, 200, 'which spent nothing')
  const { jar: other } = await browserSend(app, {}, 'viewer@acme.test')
  const two = await authenticate({ token: (await latestMessage(emulator, 'two@partner.test')).token }, other)
  t.equal(two.statusCode, 200, 'an invite authenticated from a browser that holds a verifier')
  t.equal(two.cookies.length, 0, 'and that verifier is kept: it belongs to a pending login link')
})

t.test('authenticateMagicLink takes JSON only: another site\'s form or text/plain post cannot reach it', async (t) => {
  const { app, emulator } = await buildApp(t)
  const admin = await loginForTokens(app, emulator, 'admin@acme.test')
  await app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: 'target@partner.test' } })
  const token = (await latestMessage(emulator, 'target@partner.test')).token
  const form = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${token}` })
  t.equal(form.statusCode, 415, 'a form body is not parsed here')
  const text = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ token }) })
  t.equal(text.statusCode, 400, 'a text/plain body (no CORS preflight) is not an object')
  t.equal(form.cookies.length + text.cookies.length, 0)
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token } })).statusCode, 200, 'the invite was not spent')
})

t.test('every send states the link lifetime: login and sign-up 15 minutes by default, invites a week; both configurable and enforced', async (t) => {
  const defaults = await buildApp(t)
  await browserSend(defaults.app, {}, 'editor@acme.test')
  t.equal(minutesOf(await latestMessage(defaults.emulator, 'editor@acme.test')), 15, 'login link: 15 minutes (Stytch\'s default would be 60)')
  await browserSend(defaults.app, {}, 'newcomer@acme.test')
  const signup = await latestMessage(defaults.emulator, 'newcomer@acme.test')
  t.equal(signup.type, 'signup')
  t.equal(minutesOf(signup), 15, 'sign-up link: 15 minutes')
  const admin = await loginForTokens(defaults.app, defaults.emulator, 'admin@acme.test')
  await defaults.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: 'week@partner.test' } })
  t.equal(minutesOf(await latestMessage(defaults.emulator, 'week@partner.test')), 10080, 'invite: one week')

  const custom = await buildApp(t, { env: { MAGIC_LINK_LOGIN_EXPIRATION_MINUTES: '30', MAGIC_LINK_INVITE_EXPIRATION_MINUTES: '1440' } })
  const sent = await browserSend(custom.app, {}, 'viewer@acme.test')
  t.equal(minutesOf(await latestMessage(custom.emulator, 'viewer@acme.test')), 30, 'MAGIC_LINK_LOGIN_EXPIRATION_MINUTES')
  t.equal(sent.response.cookies.find((c) => c.name === 'stytch_pkce_verifier')?.maxAge, 30 * 60, 'the verifier cookie follows it')
  const customAdmin = await loginForTokens(custom.app, custom.emulator, 'admin@acme.test')
  await custom.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(customAdmin.session_jwt), payload: { email_address: 'day@partner.test' } })
  t.equal(minutesOf(await latestMessage(custom.emulator, 'day@partner.test')), 1440, 'MAGIC_LINK_INVITE_EXPIRATION_MINUTES')

  // Stytch enforces the lifetime it was given: 31 minutes later the login link is refused.
  const { token } = await latestMessage(custom.emulator, 'viewer@acme.test')
  await emulatorPost(custom.emulator, 'emulator/config', { clock_offset_seconds: 31 * 60 })
  const late = await custom.app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', cookies: { stytch_pkce_verifier: verifierCookie(sent.response)?.value ?? '' }, payload: { token } })
  t.equal(late.statusCode, 401)
  t.equal(late.json().code, 'invalid_magic_link')

  for (const value of ['4', '10081']) {
    t.throws(() => loadConfig({ ...TEST_ENV, MAGIC_LINK_LOGIN_EXPIRATION_MINUTES: value }), ConfigError, `login lifetime ${value} is outside Stytch's 5..10080`)
    t.throws(() => loadConfig({ ...TEST_ENV, MAGIC_LINK_INVITE_EXPIRATION_MINUTES: value }), ConfigError, `invite lifetime ${value} is outside Stytch's 5..10080`)
  }
})
