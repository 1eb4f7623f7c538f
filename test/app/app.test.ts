import { readFile } from 'node:fs/promises'
import t from 'tap'
import { generateOpenApiYaml } from '../../src/openapi/generate.js'
import { buildApp, emulatorPost, startTestEmulator } from '../helper.js'

t.test('healthz answers without touching Stytch; readyz once the JWKS is loaded', async (t) => {
  const { app } = await buildApp(t)
  const live = await app.inject('/healthz')
  t.equal(live.statusCode, 200)
  t.same(live.json(), { status: 'ok' })
  t.equal((await app.inject('/readyz')).statusCode, 200)
})

t.test('readyz is 503 until the JWKS loads, then stays 200 through a Stytch outage', async (t) => {
  const emulator = await startTestEmulator(t)
  await emulatorPost(emulator, 'emulator/faults', { down: 'reset' })
  const { app } = await buildApp(t, { emulator, loadKeys: false, env: { STYTCH_TIMEOUT_MS: '500' } })
  const notReady = await app.inject('/readyz')
  t.equal(notReady.statusCode, 503)
  t.equal(notReady.json().code, 'not_ready')
  t.equal(notReady.headers['retry-after'], '5')
  await emulatorPost(emulator, 'emulator/faults', undefined, 'DELETE')
  await app.stytch.jwks.refresh()
  t.equal((await app.inject('/readyz')).statusCode, 200)
  await emulatorPost(emulator, 'emulator/faults', { down: 'reset' })
  await app.stytch.jwks.refresh().catch(() => {})
  t.equal((await app.inject('/readyz')).statusCode, 200, 'a refresh failure keeps the instance ready')
})

t.test('unknown routes, bad JSON and validation failures share the one error shape', async (t) => {
  const { app } = await buildApp(t)
  const notFound = await app.inject('/nope?token=abc')
  t.equal(notFound.statusCode, 404)
  t.match(notFound.json(), { statusCode: 404, code: 'route_not_found', error: 'Not Found', requestId: String })
  t.notMatch(notFound.body, /token=abc/, 'the query string is not echoed')

  const badJson = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: { 'content-type': 'application/json' }, payload: '{"email_address":' })
  t.equal(badJson.statusCode, 400)
  t.match(badJson.json(), { statusCode: 400, code: 'invalid_json', error: 'Bad Request' })
  t.notMatch(badJson.body, /at .*\.js/, 'no stack trace')

  const invalid = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'not-an-email', organization: 'acme' } })
  t.equal(invalid.statusCode, 400)
  t.match(invalid.json(), { code: 'validation_failed', message: /email_address/ })

  const extra = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'a@acme.test', organization: 'acme', admin: true } })
  t.equal(extra.statusCode, 400, 'unknown fields are rejected, not silently dropped')

  const wrongType = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: { 'content-type': 'application/xml' }, payload: '<a/>' })
  t.equal(wrongType.statusCode, 415)
  t.equal(wrongType.json().code, 'unsupported_media_type')
})

t.test('security headers are set (helmet)', async (t) => {
  const { app } = await buildApp(t)
  const response = await app.inject('/healthz')
  t.ok(response.headers['content-security-policy'])
  t.equal(response.headers['x-content-type-options'], 'nosniff')
})

t.test('Swagger UI is served at /docs and the spec at /docs/json', async (t) => {
  const { app } = await buildApp(t)
  const ui = await app.inject('/docs/')
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
  const spec = (await app.inject('/docs/json')).json()
  t.equal(spec.openapi, '3.1.0')
  t.ok(spec.paths['/healthz'])
})

t.test('openapi.yaml is what the routes generate (run `npm run openapi` after changing a route)', async (t) => {
  const committed = await readFile(new URL('../../openapi.yaml', import.meta.url), 'utf8')
  t.equal(await generateOpenApiYaml(), committed)
})

t.test('every operation has tags, an operationId and response schemas', async (t) => {
  const { app } = await buildApp(t)
  const spec = app.swagger() as { paths: Record<string, Record<string, { tags?: string[], operationId?: string, responses?: object }>> }
  const operations = Object.values(spec.paths).flatMap((p) => Object.values(p))
  t.ok(operations.length >= 7)
  for (const op of operations) {
    t.ok(op.tags !== undefined && op.tags.length > 0, `${String(op.operationId)} has tags`)
    t.type(op.operationId, 'string')
    t.ok(op.responses !== undefined && Object.keys(op.responses).length > 0, `${String(op.operationId)} has responses`)
  }
})
