import t, { type Test } from 'tap'
import { buildApp, loginForTokens } from '../helper.js'

async function documentContext (t: Test) {
  const ctx = await buildApp(t)
  const login = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const authorization = `Bearer ${login.session_jwt}`
  const call = async (method: string, path: string, headers: Record<string, string> = {}, payload?: object) =>
    await ctx.app.inject({ method: method as 'GET', url: `/v1/organizations/acme/documents${path}`, headers: { authorization, ...headers }, ...(payload === undefined ? {} : { payload }) })
  const create = async (title: string): Promise<string> => (await call('POST', '', {}, { title })).json().id as string
  return { ...ctx, call, create }
}

t.test('If-Match: * matches whatever version is current (RFC 9110), but not a document that is gone', async (t) => {
  const { call, create } = await documentContext(t)
  const id = await create('Plan')
  t.equal((await call('PATCH', `/${id}`, { 'if-match': '"v1"' }, { body: 'second' })).statusCode, 200, 'now at v2')
  const star = await call('PATCH', `/${id}`, { 'if-match': '*' }, { body: 'third' })
  t.equal(star.statusCode, 200, 'If-Match: * updates the current version')
  t.equal(star.headers.etag, '"v3"')
  t.equal(star.json().body, 'third')

  const list = await call('PATCH', `/${id}`, { 'if-match': '"v1", "v3"' }, { body: 'fourth' })
  t.equal(list.statusCode, 200, 'a list matches when one of its tags is current')
  t.equal(list.headers.etag, '"v4"')
  t.equal((await call('PATCH', `/${id}`, { 'if-match': 'W/"v4"' }, { body: 'x' })).statusCode, 412, 'a weak tag never matches a strong comparison')
  t.equal((await call('PATCH', `/${id}`, { 'if-match': '"v1", "v2"' }, { body: 'x' })).statusCode, 412, 'a list of stale tags is 412')

  t.equal((await call('DELETE', `/${id}`, { 'if-match': '*' })).statusCode, 204, 'If-Match: * deletes the current version')
  const gone = await call('DELETE', `/${id}`, { 'if-match': '*' })
  t.equal(gone.statusCode, 404, 'If-Match: * on a deleted document: 404, nothing matched')
  t.equal((await call('PATCH', `/${id}`, { 'if-match': '*' }, { body: 'x' })).statusCode, 404)
})

t.test('a syntactically invalid If-Match is 400 invalid_if_match, and nothing is written', async (t) => {
  const { call, create } = await documentContext(t)
  const id = await create('Plan')
  for (const value of ['v1', '"v1', 'W/v1', '*, "v1"', '', ',', '"v 1"', 'W/ "v1"']) {
    const response = await call('PATCH', `/${id}`, { 'if-match': value }, { body: 'x' })
    t.equal(response.statusCode, 400, `PATCH If-Match ${JSON.stringify(value)}`)
    t.match(response.json(), { code: 'invalid_if_match', message: /If-Match/ })
    t.equal((await call('DELETE', `/${id}`, { 'if-match': value })).json().code, 'invalid_if_match', `DELETE If-Match ${JSON.stringify(value)}`)
  }
  t.equal((await call('GET', `/${id}`)).json().version, 1, 'nothing was written')
})

t.test('If-None-Match on getDocument: 304 without a body when it matches (weak comparison), else 200', async (t) => {
  const { call, create } = await documentContext(t)
  const id = await create('Plan')
  for (const value of ['"v1"', 'W/"v1"', '"v0", "v1"', '*']) {
    const response = await call('GET', `/${id}`, { 'if-none-match': value })
    t.equal(response.statusCode, 304, `If-None-Match ${value}`)
    t.equal(response.body, '', 'no body')
    t.equal(response.headers.etag, '"v1"', 'the current ETag')
    t.equal(response.headers['content-type'], undefined, 'no content type')
  }
  const changed = await call('GET', `/${id}`, { 'if-none-match': '"v0"' })
  t.equal(changed.statusCode, 200, 'another version: the document')
  t.equal(changed.json().title, 'Plan')
  const invalid = await call('GET', `/${id}`, { 'if-none-match': 'v1' })
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().code, 'invalid_if_none_match')
  t.equal((await call('GET', '/5f0c1c52-9a55-4d1e-9a0b-2f7f0b1e0a11', { 'if-none-match': '*' })).statusCode, 404, 'a missing document is still 404')
})
