import t from 'tap'
import { buildApp } from '../helper.js'
import { assertApiError } from './raw-http.js'
import { createRouteIndex } from '../../src/http/route-index.js'

t.test('a known path with the wrong method is 405 with Allow, in the API\'s error shape; unknown paths stay 404', async (t) => {
  const { app } = await buildApp(t)
  const cases: Array<[string, string, string]> = [
    ['DELETE', '/healthz', 'GET, HEAD'],
    ['PUT', '/v1/me', 'GET, HEAD, PATCH'],
    ['POST', '/v1/organizations/acme/documents/5f0c1c52-9a55-4d1e-9a0b-2f7f0b1e0a11', 'DELETE, GET, HEAD, PATCH'],
    ['GET', '/v1/auth/logout', 'POST'],
    ['PUT', '/v1/organizations/acme/documents/', 'GET, HEAD, POST']
  ]
  for (const [method, url, allow] of cases) {
    const response = await app.inject({ method: method as 'GET', url: `${url}?token=secret` })
    t.equal(response.statusCode, 405, `${method} ${url}`)
    t.equal(response.headers.allow, allow, `${method} ${url}: Allow lists the path's methods`)
    assertApiError(t, response.json(), 405, 'method_not_allowed')
    t.match(response.json().message, new RegExp(`^${method} is not allowed`))
    t.notMatch(response.body, /secret/, 'the URL is not echoed')
  }
  for (const url of ['/v1/nope', '/v1/organizations/acme/documents/a/b', '/v1/me/nope']) {
    const response = await app.inject({ method: 'PUT', url })
    t.equal(response.statusCode, 404, `PUT ${url}: no route at this path`)
    t.equal(response.headers.allow, undefined)
  }
  const meSpec = app.swagger() as unknown as { components: { schemas: { ApiError: { properties: { code: { description: string } } } } } }
  t.match(meSpec.components.schemas.ApiError.properties.code.description, /405 `method_not_allowed`.*Allow/, 'documented as a standard error')
})

t.test('route index: parameters match one segment, wildcards the rest, catch-alls make nothing known', async (t) => {
  const index = createRouteIndex()
  index.add('OPTIONS', '*')
  index.add('OPTIONS', '/*')
  index.add(['GET', 'POST'], '/a/:id')
  index.add('DELETE', '/a/:id/')
  index.add('GET', '/static/*')
  t.same(index.allowedMethods('/a/1'), ['DELETE', 'GET', 'HEAD', 'POST'])
  t.same(index.allowedMethods('/a/1/'), ['DELETE', 'GET', 'HEAD', 'POST'], 'a trailing slash is ignored')
  t.same(index.allowedMethods('/a'), [])
  t.same(index.allowedMethods('/a/1/2'), [])
  t.same(index.allowedMethods('/a/..'), [], 'a dot segment is no parameter value')
  t.same(index.allowedMethods('/a/%2E'), [])
  t.same(index.allowedMethods('/static/x/y.js'), ['GET', 'HEAD'])
  t.same(index.allowedMethods('/elsewhere'), [], 'the catch-all OPTIONS route is not a known path')
})
