/**
 * DOCS_ENABLED: Swagger UI and the spec it serves can be switched off (production), while the
 * OpenAPI document is still generated from the routes (`npm run openapi`, `fastify.swagger()`).
 */
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { buildApp } from '../helper.js'

const DOCS_URLS = ['/docs', '/docs/', '/docs/json', '/docs/yaml', '/docs/static/index.html', '/docs/static/swagger-initializer.js']

t.test('DOCS_ENABLED defaults to true and reads "false"', async (t) => {
  t.equal(loadConfig({}).DOCS_ENABLED, true)
  t.equal(loadConfig({ DOCS_ENABLED: 'false' }).DOCS_ENABLED, false)
  t.throws(() => loadConfig({ DOCS_ENABLED: 'maybe' }), /DOCS_ENABLED/)
})

t.test('by default Swagger UI, the JSON and the YAML spec are served', async (t) => {
  const { app } = await buildApp(t)
  const ui = await app.inject('/docs/')
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
  t.equal((await app.inject('/docs/json')).json().openapi, '3.1.0')
  t.match((await app.inject('/docs/yaml')).body, /^openapi: 3\.1\.0/m)
})

t.test('DOCS_ENABLED=false: /docs and its JSON/YAML are 404 in the API\'s error shape; the spec is still generated', async (t) => {
  const off = await buildApp(t, { env: { DOCS_ENABLED: 'false' } })
  for (const url of DOCS_URLS) {
    const response = await off.app.inject(url)
    t.equal(response.statusCode, 404, `${url}: 404`)
    t.match(response.json(), { statusCode: 404, code: 'route_not_found', error: 'Not Found', message: String, requestId: String }, `${url}: the API's error shape`)
    t.match(response.headers['content-type'], /application\/json/)
    t.equal(response.headers['x-frame-options'], 'DENY', `${url}: the API's headers`)
  }
  t.equal((await off.app.inject('/healthz')).statusCode, 200, 'the API itself is served')

  // What `npm run openapi` writes does not depend on whether the UI is served.
  const on = await buildApp(t, { emulator: off.emulator })
  t.same(off.app.swagger(), on.app.swagger(), 'the same OpenAPI document with the UI off and on')
  t.ok(Object.keys((off.app.swagger() as { paths: object }).paths).length > 5)
})
