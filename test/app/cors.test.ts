/**
 * CORS (plugins/external/cors.ts): credentialed, for CORS_ORIGINS only, work done only when a
 * request carries an Origin header; every response says `Vary: Origin`.
 */
import t from 'tap'
import { CORS_EXPOSED_HEADERS, CORS_METHODS } from '../../plugins/external/cors.js'
import { buildApp } from '../helper.js'

const SPA = 'http://spa.test:5173' // CORS_ORIGINS in test/helper.ts

t.test('without an Origin header: no CORS headers, only Vary: Origin', async (t) => {
  const { app } = await buildApp(t)
  const response = await app.inject('/healthz')
  t.equal(response.statusCode, 200)
  t.equal(response.headers.vary, 'Origin')
  t.same(Object.keys(response.headers).filter((name) => name.startsWith('access-control-')), [])
  const bare = await app.inject({ method: 'OPTIONS', url: '/v1/me' })
  t.equal(bare.statusCode, 400, 'an OPTIONS without Origin is no preflight')
})

t.test('a configured origin gets credentialed CORS; any other origin gets no Allow-Origin', async (t) => {
  const { app } = await buildApp(t)
  const allowed = await app.inject({ url: '/healthz', headers: { origin: SPA } })
  t.equal(allowed.headers['access-control-allow-origin'], SPA)
  t.equal(allowed.headers['access-control-allow-credentials'], 'true')
  t.equal(allowed.headers['access-control-expose-headers'], CORS_EXPOSED_HEADERS)
  t.equal(allowed.headers.vary, 'Origin')
  const other = await app.inject({ url: '/healthz', headers: { origin: 'https://evil.test' } })
  t.same(Object.keys(other.headers).filter((name) => name.startsWith('access-control-')), [], 'nothing for another origin')
  const unauthenticated = await app.inject({ url: '/v1/me', headers: { origin: SPA } })
  t.equal(unauthenticated.statusCode, 401)
  t.equal(unauthenticated.headers['access-control-allow-origin'], SPA, 'errors carry CORS too (the SPA can read them)')
})

t.test('preflights are answered before routing and authentication', async (t) => {
  const { app } = await buildApp(t)
  const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/organizations/acme/documents', headers: { origin: SPA, 'access-control-request-method': 'POST' } })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], SPA)
  t.equal(preflight.headers['access-control-allow-methods'], CORS_METHODS)
  // What an SPA sends: bodies, bearer credentials, conditional reads and writes, idempotent creates.
  t.same(String(preflight.headers['access-control-allow-headers']).split(', ').sort(), ['authorization', 'content-type', 'idempotency-key', 'if-match', 'if-none-match'], 'the request headers an SPA may send')
  t.equal(preflight.headers['access-control-max-age'], '600')
  const other = await app.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' } })
  t.notOk(other.headers['access-control-allow-origin'])
  t.notOk(other.headers['access-control-allow-methods'])
  const incomplete = await app.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: SPA } })
  t.equal(incomplete.statusCode, 400, 'no Access-Control-Request-Method: not a preflight')
})
