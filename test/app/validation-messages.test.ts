import t from 'tap'
import { buildApp, loginForTokens } from '../helper.js'
import { assertApiError } from './raw-http.js'
import { validationMessage } from '../../src/http/validation-message.js'

t.test('every validation error names the failing field: body, query string, path parameters, headers', async (t) => {
  const ctx = await buildApp(t)
  const login = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const headers = { authorization: `Bearer ${login.session_jwt}` }
  const documents = '/v1/organizations/acme/documents'
  const cases: Array<{ what: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers?: Record<string, string>, message: RegExp }> = [
    { what: 'a missing body property', method: 'POST', url: documents, payload: { body: 'no title' }, message: /^body\/title is required$/ },
    { what: 'an unknown body property', method: 'POST', url: documents, payload: { title: 'x', colour: 'red' }, message: /^body\/colour is not allowed \(unknown property\)$/ },
    { what: 'a body property of the wrong type', method: 'POST', url: documents, payload: { title: 42 }, message: /^body\/title must be string$/ },
    { what: 'a body property too long', method: 'POST', url: documents, payload: { title: 'x'.repeat(201) }, message: /^body\/title must NOT have more than 200 characters$/ },
    { what: 'a query parameter out of range', method: 'GET', url: `${documents}?limit=1000`, message: /^querystring\/limit must be <= 100$/ },
    { what: 'an unknown query parameter', method: 'GET', url: `${documents}?colour=red`, message: /^querystring\/colour is not allowed/ },
    { what: 'a path parameter', method: 'GET', url: `${documents}/not-a-uuid`, message: /^params\/documentId must match format "uuid"$/ },
    { what: 'a header', method: 'POST', url: documents, payload: { title: 'x' }, headers: { 'idempotency-key': 'has spaces' }, message: /^headers\/idempotency-key must match pattern/ },
    { what: 'a login body', method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'admin@acme.test' }, message: /^body\/organization is required$/ }
  ]
  for (const c of cases) {
    const response = await ctx.app.inject({ method: c.method, url: c.url, headers: { ...headers, ...c.headers }, ...(c.payload === undefined ? {} : { payload: c.payload }) })
    t.equal(response.statusCode, 400, c.what)
    assertApiError(t, response.json(), 400, 'validation_failed', c.what)
    t.match(response.json().message, c.message, `${c.what}: ${String(response.json().message)}`)
  }
})

t.test('pointers are escaped (RFC 6901) and nested paths kept', async (t) => {
  t.equal(validationMessage([{ keyword: 'required', instancePath: '/custom_claims', params: { missingProperty: 'a/b~c' } }], 'body'), 'body/custom_claims/a~1b~0c is required')
  t.equal(validationMessage([{ keyword: 'type', instancePath: '/roles/0', params: {}, message: 'must be string' }], 'body'), 'body/roles/0 must be string')
  t.equal(validationMessage([{ keyword: 'x', instancePath: '', params: {} }], 'querystring'), 'querystring is not valid')
})
