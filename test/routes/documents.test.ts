import t, { type Test } from 'tap'
import { buildApp, loginForTokens, type TestApp } from '../helper.js'

async function editorContext (t: Test) {
  const ctx = await buildApp(t)
  const login = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const org = (await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${login.session_jwt}` } })).json().organization.organization_id as string
  const call = async (method: string, path: string, options: { payload?: object | string, headers?: Record<string, string> } = {}) =>
    await ctx.app.inject({ method: method as 'GET', url: `/v1/organizations/${org}/documents${path}`, headers: { authorization: `Bearer ${login.session_jwt}`, ...options.headers }, ...(options.payload === undefined ? {} : { payload: options.payload }) })
  return { ...ctx, org, call, token: login.session_jwt }
}

t.test('CRUD with ETags; the slug works in the path too', async (t) => {
  const { call, app, token } = await editorContext(t)
  const created = await call('POST', '', { payload: { title: 'Plan', body: 'v1' } })
  t.equal(created.statusCode, 201)
  const doc = created.json()
  t.match(doc, { title: 'Plan', body: 'v1', version: 1, created_by: /^member-/ })
  t.equal(created.headers.etag, '"v1"')
  t.match(created.headers.location, new RegExp(`/documents/${doc.id}$`))

  const read = await call('GET', `/${doc.id}`)
  t.equal(read.statusCode, 200)
  t.equal(read.headers.etag, '"v1"')
  const bySlug = await app.inject({ url: `/v1/organizations/acme/documents/${doc.id}`, headers: { authorization: `Bearer ${token}` } })
  t.equal(bySlug.statusCode, 200, 'the organization slug is accepted in the path')

  const updated = await call('PATCH', `/${doc.id}`, { payload: { body: 'v2' }, headers: { 'if-match': '"v1"' } })
  t.equal(updated.statusCode, 200)
  t.equal(updated.json().version, 2)
  t.equal(updated.json().title, 'Plan', 'fields not sent are kept')
  t.equal(updated.headers.etag, '"v2"')

  const stale = await call('PATCH', `/${doc.id}`, { payload: { body: 'lost?' }, headers: { 'if-match': '"v1"' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'precondition_failed')
  const missing = await call('PATCH', `/${doc.id}`, { payload: { body: 'x' } })
  t.equal(missing.statusCode, 428)
  t.equal(missing.json().code, 'precondition_required')
  t.equal((await call('GET', `/${doc.id}`)).json().body, 'v2', 'nothing was overwritten')

  t.equal((await call('GET', '/5f0c1c52-9a55-4d1e-9a0b-2f7f0b1e0a11')).statusCode, 404)
  t.equal((await call('GET', '/not-a-uuid')).statusCode, 400)
  t.equal((await call('POST', '', { payload: { title: '' } })).statusCode, 400)
  t.equal((await call('PATCH', `/${doc.id}`, { payload: {}, headers: { 'if-match': '"v2"' } })).statusCode, 400, 'an empty patch is refused')
})

t.test('admins delete with If-Match; editors may not delete', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const editor = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const org = (await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${admin.session_jwt}` } })).json().organization.organization_id as string
  const url = `/v1/organizations/${org}/documents`
  const doc = (await ctx.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${editor.session_jwt}` }, payload: { title: 'Doomed' } })).json()
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `${url}/${doc.id}`, headers: { authorization: `Bearer ${editor.session_jwt}`, 'if-match': '"v1"' } })).statusCode, 403)
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `${url}/${doc.id}`, headers: { authorization: `Bearer ${admin.session_jwt}`, 'if-match': '"v9"' } })).statusCode, 412)
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `${url}/${doc.id}`, headers: { authorization: `Bearer ${admin.session_jwt}`, 'if-match': '"v1"' } })).statusCode, 204)
  t.equal((await ctx.app.inject({ url: `${url}/${doc.id}`, headers: { authorization: `Bearer ${admin.session_jwt}` } })).statusCode, 404)
})

t.test('N parallel updates with the same If-Match: exactly one wins, the rest get 412', async (t) => {
  const { call } = await editorContext(t)
  const doc = (await call('POST', '', { payload: { title: 'Race' } })).json()
  const responses = await Promise.all(Array.from({ length: 12 }, async (_, i) => await call('PATCH', `/${doc.id}`, { payload: { body: `writer ${i}` }, headers: { 'if-match': '"v1"' } })))
  const statuses = responses.map((r) => r.statusCode).sort()
  t.same(statuses, [200, ...Array(11).fill(412)])
  const winner = responses.find((r) => r.statusCode === 200)?.json().body
  t.equal((await call('GET', `/${doc.id}`)).json().body, winner, 'the stored body is the winner\'s')
})

t.test('Idempotency-Key: a retry returns the first document, never a duplicate', async (t) => {
  const { call, app, org } = await editorContext(t)
  const headers = { 'idempotency-key': 'create-plan-001' }
  const first = await call('POST', '', { payload: { title: 'Once' }, headers })
  const again = await call('POST', '', { payload: { title: 'Once' }, headers })
  t.equal(first.statusCode, 201)
  t.equal(again.statusCode, 201)
  t.equal(again.json().id, first.json().id)
  t.equal(again.headers['idempotent-replayed'], 'true')
  const parallel = await Promise.all(Array.from({ length: 8 }, async () => await call('POST', '', { payload: { title: 'Burst' }, headers: { 'idempotency-key': 'burst-1' } })))
  t.equal(new Set(parallel.map((r) => r.json().id)).size, 1, 'concurrent retries create one document')
  t.equal(await app.documents.count(org), 2)
  const reused = await call('POST', '', { payload: { title: 'Different' }, headers })
  t.equal(reused.statusCode, 422)
  t.equal(reused.json().code, 'idempotency_key_reused')
})

t.test('lists are paginated with an opaque cursor', async (t) => {
  const { call } = await editorContext(t)
  for (let i = 0; i < 5; i++) await call('POST', '', { payload: { title: `Doc ${i}` } })
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const response = await call('GET', `?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
    t.equal(response.statusCode, 200)
    const page = response.json() as { documents: Array<{ title: string }>, next_cursor: string | null }
    t.ok(page.documents.length <= 2)
    seen.push(...page.documents.map((d) => d.title))
    cursor = page.next_cursor
    pages++
  } while (cursor !== null && pages < 10)
  t.same(seen, ['Doc 0', 'Doc 1', 'Doc 2', 'Doc 3', 'Doc 4'])
  t.equal(pages, 3)
  const bad = await call('GET', '?cursor=garbage')
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { statusCode: 400, code: 'invalid_cursor', error: 'Bad Request', message: 'cursor is not one this API issued' }, 'the storage error renders with its own code')
  t.equal((await call('GET', '?limit=1000')).statusCode, 400)
})

t.test('documents of another organization are invisible', async (t) => {
  const ctx: TestApp = await buildApp(t)
  const acmeAdmin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const globexAdmin = await loginForTokens(ctx.app, ctx.emulator, 'admin@globex.test')
  const acmeOrg = (await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${acmeAdmin.session_jwt}` } })).json().organization.organization_id as string
  const doc = (await ctx.app.inject({ method: 'POST', url: `/v1/organizations/${acmeOrg}/documents`, headers: { authorization: `Bearer ${acmeAdmin.session_jwt}` }, payload: { title: 'Secret' } })).json()
  const globexOrg = (await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${globexAdmin.session_jwt}` } })).json().organization.organization_id as string
  const probe = await ctx.app.inject({ url: `/v1/organizations/${globexOrg}/documents/${doc.id}`, headers: { authorization: `Bearer ${globexAdmin.session_jwt}` } })
  t.equal(probe.statusCode, 404, 'an Acme document id under Globex is not found')
  const cross = await ctx.app.inject({ url: `/v1/organizations/${acmeOrg}/documents/${doc.id}`, headers: { authorization: `Bearer ${globexAdmin.session_jwt}` } })
  t.equal(cross.statusCode, 403)
})
