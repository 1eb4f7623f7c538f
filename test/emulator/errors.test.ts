// The emulator's error handler over raw HTTP (the SDK never sends such requests): every failure is
// Stytch-shaped with HTTP status == status_code, validation messages name the field, framework-level
// client faults (content type, body size, prototype keys) are 400 bad_request, and unknown routes say
// which route without echoing the query. Complements control.test.ts, which checks the shapes.
import t, { type Test } from 'tap'
import { startHarness } from './helper.js'

interface Raw { status: number, body: any }

async function setup (t: Test) {
  const h = await startHarness(t)
  const authorization = 'Basic ' + Buffer.from(`${h.emu.projectId}:${h.emu.secret}`).toString('base64')
  const send = async (method: string, path: string, body?: string, contentType = 'application/json'): Promise<Raw> => {
    const res = await fetch(new URL(path, h.emu.url), {
      method,
      headers: body === undefined ? { authorization } : { authorization, 'content-type': contentType },
      body
    })
    return { status: res.status, body: await res.json() }
  }
  return { h, send }
}

const LOGIN = '/v1/b2b/magic_links/email/login_or_signup'

t.test('validation messages name the field and what is wrong with it', async (t) => {
  const { send } = await setup(t)
  const missing = await send('POST', LOGIN, JSON.stringify({ organization_id: 'acme' }))
  t.match(missing, { status: 400, body: { status_code: 400, error_type: 'invalid_argument', error_message: 'body/email_address is required' } })
  const wrongType = await send('POST', LOGIN, JSON.stringify({ organization_id: 'acme', email_address: 42 }))
  t.match(wrongType, { status: 400, body: { error_type: 'invalid_argument', error_message: 'body/email_address must be string' } })
  const nested = await send('POST', '/v1/b2b/organizations', JSON.stringify({ organization_name: 'X', organization_slug: 'x-org', email_allowed_domains: ['a', 7] }))
  t.match(nested, { status: 400, body: { error_type: 'invalid_argument', error_message: 'body/email_allowed_domains/1 must be string' } },
    'the path inside the body')
})

t.test('framework-level client faults are 400 bad_request with a reason, never 4xx of another shape', async (t) => {
  const { send } = await setup(t)
  const xml = await send('POST', LOGIN, '<login/>', 'application/xml')
  t.match(xml, { status: 400, body: { status_code: 400, error_type: 'bad_request', error_message: 'Unsupported Media Type' } }, 'an unsupported content type (415 in Fastify)')
  const huge = await send('POST', LOGIN, JSON.stringify({ organization_id: 'acme', email_address: 'a@acme.test', locale: 'x'.repeat(1_100_000) }))
  t.match(huge, { status: 400, body: { status_code: 400, error_type: 'bad_request', error_message: /body is too large/i } }, 'a body over the limit (413 in Fastify)')
  const proto = await send('POST', LOGIN, '{"organization_id":"acme","email_address":"a@acme.test","__proto__":{"admin":true}}')
  t.match(proto, { status: 400, body: { error_type: 'bad_request', error_message: 'The request body could not be parsed as JSON.' } },
    'a __proto__ key is refused as unparseable')
})

t.test('an empty JSON body is no body: control routes take it, Stytch routes say what is missing', async (t) => {
  const { h, send } = await setup(t)
  const reset = await fetch(new URL('/emulator/reset', h.emu.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '  ' })
  t.equal(reset.status, 200)
  t.same(await reset.json(), { ok: true })
  const empty = await send('POST', LOGIN, '')
  t.match(empty, { status: 400, body: { error_type: 'invalid_argument' } })
})

t.test('unknown routes name the method and path, never the query', async (t) => {
  const { send } = await setup(t)
  const res = await send('GET', '/v1/b2b/no/such/route?session_token=secret-looking-value')
  t.match(res, { status: 404, body: { status_code: 404, error_type: 'route_not_found', error_message: 'No route for GET /v1/b2b/no/such/route.' } })
  t.notMatch(JSON.stringify(res.body), 'secret-looking-value')
})
