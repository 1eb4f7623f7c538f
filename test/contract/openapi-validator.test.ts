import t from 'tap'
import { OpenApiValidator, openApiPath } from './openapi-validator.js'

// The validator itself: what it accepts and what it reports, on the committed openapi.yaml.
const validator = new OpenApiValidator()
const json = { 'content-type': 'application/json; charset=utf-8' }
const error = (statusCode: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ statusCode, code: 'x', error: 'E', message: 'm', requestId: 'req-1', ...extra })

t.test('route templates map to OpenAPI paths', async (t) => {
  t.equal(openApiPath('/v1/me/sessions/:sessionId'), '/v1/me/sessions/{sessionId}')
  t.ok(validator.operation('GET', '/healthz'))
  t.equal(validator.operation('GET', '/docs/json'), undefined, 'Swagger UI is not in the spec')
  t.ok(validator.operationCount > 10)
})

t.test('a conforming response has no errors', async (t) => {
  t.same(validator.validateResponse('GET', '/healthz', 200, json, '{"status":"ok"}'), [])
  t.same(validator.validateResponse('GET', '/readyz', 503, { ...json, 'retry-after': '5' }, error(503)), [], 'error bodies use ApiError')
  t.match(validator.validateResponse('GET', '/readyz', 503, json, error(503)), [/header retry-after is missing/], 'a 503 says when to retry')
  t.match(validator.validateResponse('GET', '/readyz', 503, { ...json, 'retry-after': 'soon' }, error(503)), [/retry-after=soon does not match/])
})

t.test('an undocumented status is an error', async (t) => {
  const errors = validator.validateResponse('GET', '/healthz', 418, json, error(418))
  t.match(errors, [/status 418 is not documented/])
})

t.test('an undocumented body field is an error', async (t) => {
  t.match(validator.validateResponse('GET', '/healthz', 200, json, '{"status":"ok","extra":1}'), [/additional properties 'extra'/])
  t.match(validator.validateResponse('GET', '/readyz', 503, { ...json, 'retry-after': '5' }, error(503, { stack: 'x' })), [/'stack'/])
})

t.test('a body of the wrong shape, type or content type is an error', async (t) => {
  t.match(validator.validateResponse('GET', '/healthz', 200, json, '{"status":1}'), [/\/status must be string/])
  t.match(validator.validateResponse('GET', '/healthz', 200, json, 'not json'), [/not JSON/])
  t.match(validator.validateResponse('GET', '/healthz', 200, { 'content-type': 'text/html' }, '<p>'), [/content-type text\/html is not documented/])
  t.match(validator.validateResponse('GET', '/healthz', 200, json, ''), [/documented but the response is empty/])
})

t.test('a documented response header must be sent', async (t) => {
  const route = '/v1/organizations/:organizationId/documents/:documentId'
  const op = validator.operation('GET', route)
  t.ok(op?.responses?.['200']?.headers?.etag, 'the document routes document ETag')
  const errors = validator.validateResponse('GET', route, 200, json, '{}')
  t.match(errors, [/header etag is missing/])
})

t.test('a body where none is documented is an error', async (t) => {
  t.match(validator.validateResponse('POST', '/v1/auth/logout', 204, {}, '{"a":1}'), [/has a body but none is documented/])
  t.same(validator.validateResponse('POST', '/v1/auth/logout', 204, {}, undefined), [])
  t.same(validator.validateResponse('POST', '/v1/auth/logout', 204, json, 'null'), [], 'the serialized null of send(null)')
})
