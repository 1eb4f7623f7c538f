import t from 'tap'
import { buildApp, emulatorCalls, emulatorPost, loginForTokens } from '../helper.js'
import { assertApiError, listen, rawExchange, rawRequest } from './raw-http.js'

/**
 * Issue 14 item 6: the router's and Node's own errors (414, 400 bad URL, 431, malformed requests)
 * answer in the API's one error shape, with no echo of the URL, and the router's path-parameter
 * limit is above every id the schemas accept.
 */

t.test('a path parameter over the router\'s limit is a 414 in the ApiError shape', async (t) => {
  const ctx = await buildApp(t)
  const long = `session-test-${'a'.repeat(200)}`
  for (const headers of [{}, { authorization: 'Bearer junk' }]) {
    const response = await ctx.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${long}?token=secret-in-query`, headers })
    t.equal(response.statusCode, 414)
    assertApiError(t, response.json(), 414, 'uri_too_long')
    t.match(response.json(), { error: 'URI Too Long', message: /longer than 200 characters/ })
    t.notMatch(response.body, /aaaa|secret-in-query|sessions/, 'the URL is not echoed')
    t.match(response.headers['content-type'], /^application\/json/)
  }
  const logged = ctx.logs.find((l) => l.msg === 'request rejected' && l.code === 'FST_ERR_MAX_PARAM_LENGTH')
  t.ok(logged, 'logged, with its code')
})

t.test('ids up to the schemas\' 128 characters get through the router; longer ones are a 400 naming the field', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const headers = { authorization: `Bearer ${admin.session_jwt}` }
  const id = (length: number) => `member-test-${'x'.repeat(length - 'member-test-'.length)}`
  await ctx.app.inject({ url: '/v1/organizations/acme/documents', headers })
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')

  for (const length of [101, 128]) {
    const response = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${id(length)}/roles`, headers, payload: { roles: [] } })
    t.equal(response.statusCode, 404, `${length} characters: valid, and unknown to Stytch`)
    t.equal(response.json().code, 'not_found')
  }
  t.ok(Object.keys(await emulatorCalls(ctx.emulator)).length > 0, 'those reached Stytch')
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')

  for (const length of [129, 200]) {
    const response = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${id(length)}/roles`, headers, payload: { roles: [] } })
    t.equal(response.statusCode, 400, `${length} characters`)
    assertApiError(t, response.json(), 400, 'validation_failed')
    t.match(response.json().message, /memberId/, 'the message names the field')
  }
  const tooLong = await ctx.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${id(201)}/roles`, headers, payload: { roles: [] } })
  t.equal(tooLong.statusCode, 414)
  t.same(await emulatorCalls(ctx.emulator), {}, 'none of those reached Stytch')
})

t.test('a malformed percent-encoding in the path is a 400 bad_url, without the URL', async (t) => {
  const ctx = await buildApp(t)
  const port = await listen(ctx.app)
  for (const path of ['/v1/me/sessions/%E0%A4%A', '/v1/organizations/%ZZ/documents', '/v1/organizations/acme/members/%C0%AF']) {
    const injected = await ctx.app.inject({ method: 'DELETE', url: path })
    const overSocket = await rawRequest(port, 'DELETE', path)
    for (const [how, response] of [['inject', { statusCode: injected.statusCode, body: injected.body }], ['socket', overSocket]] as const) {
      t.equal(response.statusCode, 400, `${how} ${path}`)
      const body = JSON.parse(response.body) as Record<string, unknown>
      assertApiError(t, body, 400, 'bad_url', `${how} ${path}`)
      t.equal(body.error, 'Bad Request')
      t.notMatch(response.body, /%E0|%ZZ|%C0|sessions|organizations/, 'the URL is not echoed')
    }
  }
})

t.test('headers too large (Node answers these before Fastify): 431 in the ApiError shape, nothing of the request logged', async (t) => {
  const ctx = await buildApp(t)
  const port = await listen(ctx.app)
  const secret = 'cookie-secret-value-0123456789'
  const response = await rawExchange(port, `GET /v1/me?token=query-secret HTTP/1.1\r\nHost: api.test\r\nCookie: stytch_session=${secret}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
  t.match(response.statusLine, /^HTTP\/1\.1 431 /)
  t.match(response.headers['content-type'], /^application\/json/)
  t.equal(response.headers.connection, 'close')
  t.equal(Number(response.headers['content-length']), Buffer.byteLength(response.body))
  const body = JSON.parse(response.body) as Record<string, unknown>
  assertApiError(t, body, 431, 'headers_too_large')
  t.equal(body.error, 'Request Header Fields Too Large')
  t.notMatch(response.body, /query-secret|\/v1\/me/, 'the URL is not echoed')

  const logged = ctx.logs.find((l) => l.msg === 'connection rejected')
  t.match(logged, { reqId: body.requestId, code: 'HPE_HEADER_OVERFLOW', statusCode: 431 }, 'logged under the id the client was given')
  t.notOk(ctx.rawLogs.some((l) => l.includes(secret) || l.includes('query-secret') || l.includes('aaaaaaaa')), 'no request bytes in the logs')

  // The server is unharmed: the next connection is served.
  t.equal((await rawRequest(port, 'GET', '/healthz')).statusCode, 200)
})

t.test('a malformed HTTP request is a 400 in the ApiError shape', async (t) => {
  const ctx = await buildApp(t)
  const port = await listen(ctx.app)
  for (const request of ['GET /healthz HTTP/1.1\r\nHost: api.test\r\nContent-Length: nope\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: api.test\r\nBad Header\r\n\r\n']) {
    const response = await rawExchange(port, request)
    t.match(response.statusLine, /^HTTP\/1\.1 400 /)
    assertApiError(t, JSON.parse(response.body) as Record<string, unknown>, 400, 'bad_request')
  }
})

t.test('404 names no part of the URL', async (t) => {
  const ctx = await buildApp(t)
  const response = await ctx.app.inject('/v1/secret-path-segment/x?token=abc')
  t.equal(response.statusCode, 404)
  assertApiError(t, response.json(), 404, 'route_not_found')
  t.notMatch(response.body, /secret-path-segment|token|abc/)
  t.match(response.json().message, /GET/)
})
