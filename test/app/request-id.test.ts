/**
 * Issue 13: request ids are UUIDs, taken from X-Request-Id only when a trusted proxy (TRUST_PROXY)
 * sent a valid one, returned in X-Request-Id on every response, and in every log line of the
 * request and in the error body.
 */
import t from 'tap'
import { trustedPeer } from '../../src/http/request-id.js'
import { buildApp } from '../helper.js'
import { listen, rawExchange, rawRequest } from './raw-http.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('a trusted proxy\'s X-Request-Id is kept; a client\'s is ignored; a bad one is replaced', async (t) => {
  const ctx = await buildApp(t, { env: { TRUST_PROXY: '10.0.0.0/8,loopback' } })
  const fromProxy = await ctx.app.inject({ url: '/v1/me', remoteAddress: '10.1.2.3', headers: { 'x-request-id': 'edge-abc.123' } })
  t.equal(fromProxy.statusCode, 401)
  t.equal(fromProxy.headers['x-request-id'], 'edge-abc.123', 'round trip from a trusted proxy')
  t.equal(fromProxy.json<{ requestId: string }>().requestId, 'edge-abc.123', 'and in the error body')
  const lines = ctx.logs.filter((l) => l.reqId === 'edge-abc.123')
  t.ok(lines.some((l) => l.msg === 'request completed'), 'the access line carries it')
  t.ok(lines.some((l) => l.msg === 'request rejected'), 'the error line carries it')

  const fromClient = await ctx.app.inject({ url: '/healthz', remoteAddress: '203.0.113.9', headers: { 'x-request-id': 'forged' } })
  t.match(fromClient.headers['x-request-id'], UUID, 'an untrusted client\'s id is ignored: a fresh UUID')
  for (const bad of ['a'.repeat(129), 'has space', 'new\u00e9line', '']) {
    const response = await ctx.app.inject({ url: '/healthz', remoteAddress: '10.1.2.3', headers: { 'x-request-id': bad } })
    t.match(response.headers['x-request-id'], UUID, `an invalid id from the proxy is replaced (${bad.length} chars)`)
  }
})

t.test('without TRUST_PROXY every id is a fresh UUID, on every kind of response', async (t) => {
  const ctx = await buildApp(t, { env: { RATE_LIMIT_LOGIN_PER_IP: '3', BODY_LIMIT_BYTES: '1024' } })
  const ids = new Set<string>()
  const check = (what: string, response: { statusCode: number, headers: Record<string, unknown>, body: string }, status: number): void => {
    t.equal(response.statusCode, status, what)
    const id = response.headers['x-request-id']
    t.match(id, UUID, `${what}: X-Request-Id is a UUID`)
    ids.add(String(id))
    if (status >= 400 && response.headers['content-type']?.toString().startsWith('application/json') === true) {
      t.equal((JSON.parse(response.body) as { requestId: string }).requestId, id, `${what}: the body's requestId is the header's`)
    }
  }
  check('healthz', await ctx.app.inject({ url: '/healthz', headers: { 'x-request-id': 'forged' } }), 200)
  check('404', await ctx.app.inject({ url: '/nope' }), 404)
  check('405', await ctx.app.inject({ method: 'DELETE', url: '/healthz' }), 405)
  check('401', await ctx.app.inject({ url: '/v1/me' }), 401)
  check('bad JSON', await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: { 'content-type': 'application/json' }, payload: '{"x' }), 400)
  check('413', await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email_address: 'a'.repeat(2000) }) }), 413)
  check('bad URL', await ctx.app.inject({ url: '/v1/organizations/%zz' }), 400)
  check('home page', await ctx.app.inject({ url: '/', headers: { accept: 'text/html' } }), 200)
  check('Swagger UI', await ctx.app.inject({ url: '/docs/' }), 200)
  const send = { method: 'POST' as const, url: '/v1/auth/magic-links/send', payload: { email_address: 'a@acme.test', organization: 'acme' } }
  await ctx.app.inject(send)
  check('429 (bad JSON, 413 and this send used up the 3 allowed)', await ctx.app.inject(send), 429)
  t.equal(ids.size, 10, 'every response has its own id')

  const port = await listen(ctx.app)
  const raw = await rawRequest(port, 'GET', '/v1/organizations/%zz')
  t.match(raw.headers['x-request-id'], UUID, 'a real socket answer too')
  const huge = await rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`)
  t.match(huge.statusLine, /431/)
  t.match(huge.headers['x-request-id'], UUID, '431 from Node\'s parser carries an id')
  t.equal(JSON.parse(huge.body).requestId, huge.headers['x-request-id'])
  t.ok(ctx.logs.some((l) => l.msg === 'connection rejected' && l.reqId === huge.headers['x-request-id']), 'and logs it')
})

t.test('trustedPeer: addresses, CIDRs, keywords, IPv4-mapped IPv6', async (t) => {
  const trusted = trustedPeer(['192.0.2.1', '10.0.0.0/8', 'loopback', 'fd00::/8'])
  t.ok(trusted('192.0.2.1'))
  t.ok(trusted('10.200.0.1'))
  t.ok(trusted('::ffff:10.0.0.5'))
  t.ok(trusted('127.0.0.1'))
  t.ok(trusted('::1'))
  t.ok(trusted('fd12::1'))
  t.notOk(trusted('192.0.2.2'))
  t.notOk(trusted('203.0.113.9'))
  t.notOk(trusted(undefined))
  t.notOk(trustedPeer([])('127.0.0.1'))
})
