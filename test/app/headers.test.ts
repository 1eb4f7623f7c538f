/**
 * Security headers: API responses (JSON, errors, 404s) carry one precomputed set with the CSP of a
 * JSON API (`default-src 'none'; frame-ancestors 'none'`); Swagger UI's pages carry helmet's full
 * set, whose CSP the UI works with, with `upgrade-insecure-requests` only when PUBLIC_URL is https.
 */
import t from 'tap'
import { API_SECURITY_HEADERS } from '../../plugins/external/helmet.js'
import { buildApp } from '../helper.js'

const directives = (csp: unknown): string[] => String(csp).split(';').map((d) => d.trim()).filter((d) => d.length > 0)

t.test('every API response carries the JSON API security headers: never framed, loads nothing', async (t) => {
  const { app } = await buildApp(t)
  const responses = {
    'a 200': await app.inject('/healthz'),
    'a 401': await app.inject('/v1/me'),
    'a validation 400': await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'nope' } }),
    'a 404 of an unknown route': await app.inject('/nope'),
    'a 404 under /docs that is no Swagger UI route': await app.inject('/docs/nope')
  }
  for (const [what, response] of Object.entries(responses)) {
    for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) t.equal(response.headers[name], value, `${what}: ${name}`)
    t.ok(directives(response.headers['content-security-policy']).includes("frame-ancestors 'none'"), `${what}: frame-ancestors 'none'`)
    t.equal(response.headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options DENY (browsers without CSP 2)`)
  }
  t.equal(responses['a 200'].headers['x-content-type-options'], 'nosniff')
  t.ok(directives(API_SECURITY_HEADERS['content-security-policy']).includes("default-src 'none'"))
})

t.test('Swagger UI pages get helmet\'s CSP; without https no upgrade-insecure-requests (which would blank the page over http)', async (t) => {
  const { app } = await buildApp(t) // PUBLIC_URL http://api.test:3000
  for (const url of ['/docs/', '/docs/static/swagger-initializer.js', '/docs/json']) {
    const response = await app.inject(url)
    t.equal(response.statusCode, 200, url)
    const csp = directives(response.headers['content-security-policy'])
    t.ok(csp.includes("script-src 'self'"), `${url}: helmet's CSP (scripts from the origin: the UI has no inline scripts)`)
    t.ok(csp.includes("frame-ancestors 'self'"), `${url}: framed by its own origin at most`)
    t.notOk(csp.some((d) => d.startsWith('upgrade-insecure-requests')), `${url}: no upgrade-insecure-requests over http`)
    t.equal(response.headers['x-frame-options'], 'SAMEORIGIN', `${url}: helmet's X-Frame-Options`)
    // Every API header is one helmet sets too, so none of the API's values is left over here.
    for (const name of Object.keys(API_SECURITY_HEADERS)) t.type(response.headers[name], 'string', `${url}: ${name} (helmet's)`)
    t.equal(response.headers['x-content-type-options'], 'nosniff')
  }
})

t.test('with an https PUBLIC_URL, Swagger UI pages upgrade insecure requests; API headers unchanged', async (t) => {
  const { app } = await buildApp(t, { env: { PUBLIC_URL: 'https://api.example.com' } })
  const ui = await app.inject('/docs/')
  t.ok(directives(ui.headers['content-security-policy']).includes('upgrade-insecure-requests'))
  const api = await app.inject('/healthz')
  t.equal(api.headers['content-security-policy'], API_SECURITY_HEADERS['content-security-policy'])
})
