import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { RunningEmulator } from '../../src/emulator/index.js'
import { buildApp, cookiesOf, emulatorCalls, latestToken, loginForCookies, loginForTokens, pkcePair, verifierCookie } from '../helper.js'
import { CROSS_SITE, FORM, SAME_ORIGIN, pathOf, update, latestMessage, type Jar } from './login-flow.js'

const ENABLED = { env: { DISCOVERY_CREATE_ORGANIZATIONS: 'true' } }
const IST_COOKIE = 'stytch_intermediate_session'

interface DiscoveryBody { email_address: string, intermediate_session_token?: string, can_create_organization: boolean, organizations: Array<{ organization_slug: string, organization_id: string, membership: string, can_enter: boolean, requires?: string }> }

/** A mobile discovery login: its own PKCE pair, delivery=body; the intermediate session token and organizations. */
async function mobileDiscovery (app: FastifyInstance, emulator: RunningEmulator, email: string): Promise<DiscoveryBody> {
  const { verifier, challenge } = pkcePair()
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/discovery/send', payload: { email_address: email, pkce_code_challenge: challenge } })
  if (sent.statusCode !== 202) throw new Error(`send: ${sent.statusCode} ${sent.body}`)
  const token = await latestToken(emulator, email)
  const response = await app.inject({ method: 'POST', url: '/v1/auth/discovery/authenticate', payload: { token, delivery: 'body', pkce_code_verifier: verifier } })
  if (response.statusCode !== 200) throw new Error(`authenticate: ${response.statusCode} ${response.body}`)
  return response.json<DiscoveryBody>()
}

/** A browser discovery login through the landing page: the jar holds the intermediate-session cookie. */
async function browserDiscovery (app: FastifyInstance, emulator: RunningEmulator, email: string): Promise<{ jar: Jar, confirmed: LightMyRequestResponse }> {
  let jar: Jar = {}
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/discovery/send', headers: SAME_ORIGIN, payload: { email_address: email } })
  jar = update(jar, sent)
  const message = await latestMessage(emulator, email)
  const landing = await app.inject({ url: pathOf(message.link), cookies: jar })
  const form = /<form method="post" action="\/v1\/auth\/discovery\/callback">(.*?)<\/form>/s.exec(landing.body)?.[1] ?? ''
  const fields = Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1] as string, m[2] as string]))
  const confirmed = await app.inject({
    method: 'POST', url: '/v1/auth/discovery/callback', headers: { ...SAME_ORIGIN, 'content-type': FORM }, cookies: jar, payload: new URLSearchParams(fields).toString()
  })
  return { jar: update(jar, confirmed), confirmed }
}

t.test('browser discovery: link → landing page (spends nothing) → confirm → intermediate cookie → pick organization → session cookies', async (t) => {
  const { app, emulator } = await buildApp(t)
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/discovery/send', headers: SAME_ORIGIN, payload: { email_address: 'editor@acme.test' } })
  t.equal(sent.statusCode, 202)
  t.ok(verifierCookie(sent), 'the browser gets a PKCE verifier cookie')
  const message = await latestMessage(emulator, 'editor@acme.test')
  t.equal(message.type, 'discovery')
  t.ok(message.link.startsWith('http://api.test:3000/v1/auth/discovery/callback?'), 'the link points at the configured discovery callback')
  t.type(message.pkce_code_challenge, 'string')

  const jar = update({}, sent)
  const landing = await app.inject({ url: pathOf(message.link), cookies: jar })
  t.equal(landing.statusCode, 200)
  t.match(landing.body, /log in as <strong>editor@acme\.test<\/strong>/)
  const second = await app.inject({ url: pathOf(message.link), cookies: jar })
  t.equal(second.statusCode, 200, 'opening it again (a scanner, a preview) spent nothing')

  const { jar: after, confirmed } = await browserDiscovery(app, emulator, 'editor@acme.test')
  t.equal(confirmed.statusCode, 303)
  t.equal(confirmed.headers.location, 'http://api.test:3000/docs')
  const ist = confirmed.cookies.find((c) => c.name === IST_COOKIE)
  t.ok(ist !== undefined && ist.httpOnly === true && ist.sameSite === 'Lax' && ist.secure === true, 'intermediate session: HttpOnly, Secure, SameSite=Lax cookie')
  t.ok((ist?.maxAge ?? 0) > 500 && (ist?.maxAge ?? 0) <= 600, 'as long as the intermediate session (10 minutes)')
  t.notOk(confirmed.cookies.some((c) => c.name === 'stytch_session' && c.value !== ''), 'no session yet')

  const list = await app.inject({ method: 'POST', url: '/v1/auth/discovery/organizations', headers: SAME_ORIGIN, cookies: after, payload: {} })
  t.equal(list.statusCode, 200)
  t.match(list.json(), { email_address: 'editor@acme.test', organizations: [{ organization_slug: 'acme', membership: 'active_member', can_enter: true }] })

  const exchange = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', headers: SAME_ORIGIN, cookies: after, payload: { organization_id: 'acme' } })
  t.equal(exchange.statusCode, 200)
  t.match(exchange.json(), { member: { email_address: 'editor@acme.test' }, organization: { organization_slug: 'acme' } })
  t.notOk('session_token' in exchange.json(), 'browsers never see the tokens')
  const cookies = cookiesOf(exchange)
  t.same(Object.keys(cookies).sort(), ['stytch_session', 'stytch_session_jwt'])
  t.ok(exchange.cookies.some((c) => c.name === IST_COOKIE && c.value === ''), 'the intermediate cookie is cleared')
  const me = await app.inject({ url: '/v1/me', cookies })
  t.equal(me.statusCode, 200)
  t.equal(me.json().organization.organization_slug, 'acme')

  const reuse = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', headers: SAME_ORIGIN, cookies: after, payload: { organization_id: 'acme' } })
  t.equal(reuse.statusCode, 401, 'the intermediate session works once')
  t.equal(reuse.json().code, 'invalid_intermediate_session')
})

t.test('the intermediate cookie is refused from another site, and without one there is nothing to exchange', async (t) => {
  const { app, emulator } = await buildApp(t)
  const { jar } = await browserDiscovery(app, emulator, 'viewer@acme.test')
  const cross = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', headers: CROSS_SITE, cookies: jar, payload: { organization_id: 'acme' } })
  t.equal(cross.statusCode, 403)
  t.equal(cross.json().code, 'origin_not_allowed')
  const none = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', payload: { organization_id: 'acme' } })
  t.equal(none.statusCode, 401)
  t.equal(none.json().code, 'invalid_intermediate_session')
  const crossSend = await app.inject({ method: 'POST', url: '/v1/auth/discovery/send', headers: CROSS_SITE, payload: { email_address: 'viewer@acme.test' } })
  t.equal(crossSend.statusCode, 403)
  const still = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', headers: SAME_ORIGIN, cookies: jar, payload: { organization_id: 'acme' } })
  t.equal(still.statusCode, 200, 'refused attempts spent nothing')
})

t.test('mobile discovery: own PKCE, tokens in the body, no cookies', async (t) => {
  const { app, emulator } = await buildApp(t)
  const found = await mobileDiscovery(app, emulator, 'admin@acme.test')
  t.type(found.intermediate_session_token, 'string')
  t.equal(found.can_create_organization, false, 'organization creation is off by default with real credentials')
  t.match(found.organizations, [{ organization_slug: 'acme', membership: 'active_member', can_enter: true }])
  const response = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', payload: { organization_id: 'acme', intermediate_session_token: found.intermediate_session_token, delivery: 'body' } })
  t.equal(response.statusCode, 200)
  t.equal(response.cookies.length, 0)
  const body = response.json()
  t.match(body.session_jwt, /^ey[\w-]+\.[\w-]+\.[\w-]+$/)
  const me = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${body.session_jwt as string}` } })
  t.equal(me.statusCode, 200)
  const reuse = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', payload: { organization_id: 'acme', intermediate_session_token: found.intermediate_session_token, delivery: 'body' } })
  t.equal(reuse.statusCode, 401)
  t.equal(reuse.json().code, 'invalid_intermediate_session')
})

t.test('PKCE: a discovery link works only with its verifier', async (t) => {
  const { app, emulator } = await buildApp(t)
  const { verifier, challenge } = pkcePair()
  await app.inject({ method: 'POST', url: '/v1/auth/discovery/send', payload: { email_address: 'viewer@acme.test', pkce_code_challenge: challenge } })
  const token = await latestToken(emulator, 'viewer@acme.test')
  const wrong = await app.inject({ method: 'POST', url: '/v1/auth/discovery/authenticate', payload: { token, delivery: 'body', pkce_code_verifier: pkcePair().verifier } })
  t.equal(wrong.statusCode, 400)
  t.equal(wrong.json().code, 'pkce_failed')
  const missing = await app.inject({ method: 'POST', url: '/v1/auth/discovery/authenticate', payload: { token, delivery: 'body' } })
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().code, 'pkce_failed')
  const ok = await app.inject({ method: 'POST', url: '/v1/auth/discovery/authenticate', payload: { token, delivery: 'body', pkce_code_verifier: verifier } })
  t.equal(ok.statusCode, 200, 'the right verifier still works')
  const again = await app.inject({ method: 'POST', url: '/v1/auth/discovery/authenticate', payload: { token, delivery: 'body', pkce_code_verifier: verifier } })
  t.equal(again.statusCode, 401)
  t.equal(again.json().code, 'invalid_magic_link')
})

t.test('exchange into an organization the address cannot enter is refused', async (t) => {
  const { app, emulator } = await buildApp(t)
  const found = await mobileDiscovery(app, emulator, 'viewer@acme.test')
  const other = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', payload: { organization_id: 'globex', intermediate_session_token: found.intermediate_session_token, delivery: 'body' } })
  t.equal(other.statusCode, 403)
  t.equal(other.json().code, 'not_a_member')
  const missing = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', payload: { organization_id: 'no-such-org', intermediate_session_token: found.intermediate_session_token, delivery: 'body' } })
  t.equal(missing.statusCode, 404)

  const jit = await mobileDiscovery(app, emulator, 'newcomer@acme.test')
  t.match(jit.organizations, [{ organization_slug: 'acme', membership: 'eligible_to_join_by_email_domain', can_enter: true }])
  const joined = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', payload: { organization_id: 'acme', intermediate_session_token: jit.intermediate_session_token, delivery: 'body' } })
  t.equal(joined.statusCode, 200, 'joins by email domain')
})

t.test('createOrganizationViaDiscovery: off by default, on by config; the creator is stytch_admin', async (t) => {
  const off = await buildApp(t)
  const found = await mobileDiscovery(off.app, off.emulator, 'founder@startup.test')
  const refused = await off.app.inject({ method: 'POST', url: '/v1/auth/discovery/organizations/create', payload: { intermediate_session_token: found.intermediate_session_token, delivery: 'body' } })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'organization_creation_disabled')

  const { app, emulator } = await buildApp(t, ENABLED)
  const discovered = await mobileDiscovery(app, emulator, 'founder@startup.test')
  t.equal(discovered.can_create_organization, true)
  t.same(discovered.organizations, [])
  const created = await app.inject({ method: 'POST', url: '/v1/auth/discovery/organizations/create', payload: { organization_name: 'Startup', organization_slug: 'startup', intermediate_session_token: discovered.intermediate_session_token, delivery: 'body' } })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { organization: { organization_slug: 'startup' }, member: { email_address: 'founder@startup.test' } })
  t.ok(created.json().session.roles.includes('stytch_admin'))
  const again = await mobileDiscovery(app, emulator, 'other@startup.test')
  const taken = await app.inject({ method: 'POST', url: '/v1/auth/discovery/organizations/create', payload: { organization_slug: 'startup', intermediate_session_token: again.intermediate_session_token, delivery: 'body' } })
  t.equal(taken.statusCode, 409)
})

t.test('an organization requiring another auth method or MFA answers a clear 403', async (t) => {
  const { app, emulator } = await buildApp(t)
  const stytch = app.stytch.client
  await stytch.organizations.update({ organization_id: 'globex', auth_methods: 'RESTRICTED', allowed_auth_methods: ['sso'] })
  await stytch.organizations.members.create({ organization_id: 'globex', email_address: 'admin@acme.test' })
  const found = await mobileDiscovery(app, emulator, 'admin@acme.test')
  t.match(found.organizations.find((o) => o.organization_slug === 'globex'), { can_enter: false, requires: 'primary_auth', allowed_auth_methods: ['sso'] })
  const primary = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', payload: { organization_id: 'globex', intermediate_session_token: found.intermediate_session_token, delivery: 'body' } })
  t.equal(primary.statusCode, 403)
  t.match(primary.json(), { code: 'primary_auth_required', message: /sso/ })

  await stytch.organizations.update({ organization_id: 'globex', auth_methods: 'ALL_ALLOWED', mfa_policy: 'REQUIRED_FOR_ALL' })
  const mfa = await app.inject({ method: 'POST', url: '/v1/auth/discovery/exchange', payload: { organization_id: 'globex', intermediate_session_token: found.intermediate_session_token, delivery: 'body' } })
  t.equal(mfa.statusCode, 403)
  t.equal(mfa.json().code, 'mfa_required')

  const session = await loginForTokens(app, emulator, 'admin@acme.test')
  const bearer = { authorization: `Bearer ${session.session_token}` }
  const mine = await app.inject({ url: '/v1/me/organizations', headers: bearer })
  t.match(mine.json().organizations.find((o: { organization_slug: string }) => o.organization_slug === 'globex'), { can_enter: false, requires: 'mfa' })
  const switched = await app.inject({ method: 'POST', url: '/v1/me/organizations/globex/switch', headers: bearer })
  t.equal(switched.statusCode, 403)
  t.equal(switched.json().code, 'mfa_required')
  t.equal((await app.inject({ url: '/v1/me', headers: bearer })).statusCode, 200, 'the current session stays as it was')
})

t.test('switchOrganization (bearer): new tokens in the body, the old JWT refused at once without asking Stytch', async (t) => {
  const { app, emulator } = await buildApp(t)
  await app.stytch.client.organizations.members.create({ organization_id: 'globex', email_address: 'editor@acme.test' })
  const session = await loginForTokens(app, emulator, 'editor@acme.test')
  const oldJwt = { authorization: `Bearer ${session.session_jwt}` }
  const mine = await app.inject({ url: '/v1/me/organizations', headers: oldJwt })
  t.equal(mine.statusCode, 200)
  t.same(mine.json().organizations.map((o: { organization_slug: string }) => o.organization_slug).sort(), ['acme', 'globex'])

  const switched = await app.inject({ method: 'POST', url: '/v1/me/organizations/globex/switch', headers: oldJwt })
  t.equal(switched.statusCode, 200)
  const body = switched.json()
  t.match(body, { organization: { organization_slug: 'globex' }, member: { email_address: 'editor@acme.test' } })
  t.type(body.session_token, 'string')
  t.not(body.session.member_session_id, session.session.member_session_id)
  t.notOk(switched.headers['x-session-jwt'], 'no stale JWT of the old session in a header')

  const before = await emulatorCalls(emulator)
  const old = await app.inject({ url: '/v1/me', headers: oldJwt })
  t.equal(old.statusCode, 401, 'the old JWT is refused at once')
  t.equal(old.json().code, 'session_revoked')
  t.same(await emulatorCalls(emulator), before, 'without a Stytch call')
  const oldToken = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${session.session_token}` } })
  t.equal(oldToken.statusCode, 401, 'and the old session token too')
  const now = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${body.session_jwt as string}` } })
  t.equal(now.statusCode, 200)
  t.equal(now.json().organization.organization_slug, 'globex')
})

t.test('switchOrganization (cookies): both cookies replaced; refused for an organization of another address', async (t) => {
  const { app, emulator } = await buildApp(t)
  await app.stytch.client.magicLinks.email.invite({ organization_id: 'globex', email_address: 'viewer@acme.test' })
  const { cookies } = await loginForCookies(app, emulator, 'viewer@acme.test')
  const mine = await app.inject({ url: '/v1/me/organizations', cookies })
  t.match(mine.json().organizations.find((o: { organization_slug: string }) => o.organization_slug === 'globex'), { membership: 'invited_member', can_enter: true })

  const crossSite = await app.inject({ method: 'POST', url: '/v1/me/organizations/globex/switch', headers: CROSS_SITE, cookies })
  t.equal(crossSite.statusCode, 403, 'cookie-authenticated: another site cannot switch the browser')

  const switched = await app.inject({ method: 'POST', url: '/v1/me/organizations/globex/switch', headers: SAME_ORIGIN, cookies })
  t.equal(switched.statusCode, 200)
  t.notOk('session_token' in switched.json(), 'cookie clients never see the tokens')
  const next = cookiesOf(switched)
  t.same(Object.keys(next).sort(), ['stytch_session', 'stytch_session_jwt'])
  t.not(next.stytch_session, cookies.stytch_session)
  t.equal((await app.inject({ url: '/v1/me', cookies: next })).json().organization.organization_slug, 'globex')
  t.equal((await app.inject({ url: '/v1/me', cookies })).statusCode, 401, 'the old cookies are dead')

  const stranger = await loginForTokens(app, emulator, 'admin@globex.test')
  const refused = await app.inject({ method: 'POST', url: '/v1/me/organizations/acme/switch', headers: { authorization: `Bearer ${stranger.session_jwt}` } })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'not_a_member')
  const unknown = await app.inject({ method: 'POST', url: '/v1/me/organizations/no-such-org/switch', headers: { authorization: `Bearer ${stranger.session_jwt}` } })
  t.equal(unknown.statusCode, 404)
  t.equal((await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${stranger.session_jwt}` } })).statusCode, 200, 'a refused switch ends nothing')
})

t.test('discovery pages: the "new link" form, an incomplete or spent link, a cross-site confirm', async (t) => {
  const { app, emulator } = await buildApp(t)
  const form = await app.inject({ method: 'POST', url: '/v1/auth/discovery/send', headers: { ...SAME_ORIGIN, 'content-type': FORM }, payload: 'email_address=viewer%40acme.test' })
  t.equal(form.statusCode, 200)
  t.match(form.headers['content-type'], /text\/html/)
  t.match(form.body, /A login link is on its way to <strong>viewer@acme\.test<\/strong>/)
  const message = await latestMessage(emulator, 'viewer@acme.test')
  const jar = update({}, form)

  const incomplete = await app.inject({ url: '/v1/auth/discovery/callback?token=short', cookies: jar })
  t.equal(incomplete.statusCode, 400)
  t.match(incomplete.body, /action="\/v1\/auth\/discovery\/send"/, 'asks for a new discovery link')

  const landing = await app.inject({ url: pathOf(message.link), cookies: jar })
  const fields = Object.fromEntries([...(/<form method="post" action="\/v1\/auth\/discovery\/callback">(.*?)<\/form>/s.exec(landing.body)?.[1] ?? '')
    .matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1] as string, m[2] as string]))
  t.ok(fields.token !== undefined && fields.context !== undefined, 'the confirmation form carries the token and the sealed context')
  const post = async (headers: Record<string, string>): Promise<LightMyRequestResponse> => await app.inject({
    method: 'POST', url: '/v1/auth/discovery/callback', headers: { ...headers, 'content-type': FORM }, cookies: jar, payload: new URLSearchParams(fields).toString()
  })
  t.equal((await post(CROSS_SITE)).statusCode, 403, 'another site cannot post the confirmation')
  const noVerifier = await app.inject({ method: 'POST', url: '/v1/auth/discovery/callback', headers: { ...SAME_ORIGIN, 'content-type': FORM }, payload: new URLSearchParams(fields).toString() })
  t.equal(noVerifier.statusCode, 400, 'another browser (no verifier cookie): a page saying so')
  t.match(noVerifier.body, /another browser/)
  const ok = await post(SAME_ORIGIN)
  t.equal(ok.statusCode, 303)
  const spent = await post(SAME_ORIGIN)
  t.equal(spent.statusCode, 410, 'a spent link: a page with a way to ask again')
  t.match(spent.body, /action="\/v1\/auth\/discovery\/send"/)

  const mobile = await mobileDiscovery(app, emulator, 'admin@acme.test')
  const listed = await app.inject({ method: 'POST', url: '/v1/auth/discovery/organizations', payload: { intermediate_session_token: mobile.intermediate_session_token } })
  t.equal(listed.statusCode, 200, 'apps list with the token in the body')
  t.same(listed.json().organizations, mobile.organizations)
  const bogus = await app.inject({ method: 'POST', url: '/v1/auth/discovery/organizations', payload: { intermediate_session_token: 'Q'.repeat(44) } })
  t.equal(bogus.statusCode, 401)
  t.equal(bogus.json().code, 'invalid_intermediate_session')
})
