/**
 * Issue 13: OpenTelemetry tracing, off by default. On, spans go over OTLP/HTTP (JSON) to a
 * collector: here a real HTTP server standing in for one, so the whole path (provider, batch
 * processor, exporter, the config that turns it on) is what runs in production.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { gunzipSync } from 'node:zlib'
import type { Test } from 'tap'
import t from 'tap'
import { buildApp, latestToken, loginForCookies, loginForTokens } from '../helper.js'

interface OtlpValue { stringValue?: string, intValue?: string | number, boolValue?: boolean, doubleValue?: number }
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: Array<{ key: string, value: OtlpValue }>
  status?: { code?: number, message?: string }
}
interface Exported { raw: string, spans: OtlpSpan[], services: string[] }

/** A collector: every POST /v1/traces body, kept as text and as spans. */
async function startCollector (t: Test): Promise<{ url: string, exported: Exported }> {
  const exported: Exported = { raw: '', spans: [], services: [] }
  const read = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8')
  }
  const server = createServer((req, res) => {
    read(req).then((text) => {
      if (req.url === '/v1/traces' && req.method === 'POST') {
        exported.raw += text
        const body = JSON.parse(text) as { resourceSpans: Array<{ resource: { attributes: OtlpSpan['attributes'] }, scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
        for (const resource of body.resourceSpans) {
          exported.services.push(...resource.resource.attributes.filter((a) => a.key === 'service.name').map((a) => a.value.stringValue ?? ''))
          for (const scope of resource.scopeSpans) exported.spans.push(...scope.spans)
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    }, () => res.writeHead(400).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => { resolve() })))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, exported }
}

const attr = (span: OtlpSpan, key: string): string | number | boolean | undefined => {
  const value = span.attributes.find((a) => a.key === key)?.value
  if (value === undefined) return undefined
  return value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)) ?? value.boolValue ?? value.doubleValue
}

const requestSpans = (spans: OtlpSpan[], route: string, method = 'GET'): OtlpSpan[] =>
  spans.filter((s) => s.name === 'request' && attr(s, 'http.route') === route && attr(s, 'http.request.method') === method)

const SERVER = 2
const CLIENT = 3

t.test('off by default: no instrumentation is registered and requests carry no trace', async (t) => {
  const ctx = await buildApp(t)
  t.equal(ctx.config.OTEL_ENABLED, false)
  t.notOk(ctx.app.hasPlugin('@fastify/otel'), '@fastify/otel not registered')
  const { session_jwt: jwt } = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const me = await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${jwt}` } })
  t.equal(me.statusCode, 200)
  t.notOk(me.headers.traceparent, 'no trace context in responses')
})

t.test('on: request spans, with Stytch and database spans inside them, and nothing secret in any attribute', async (t) => {
  const collector = await startCollector(t)
  const ctx = await buildApp(t, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'tracing-test' } })
  t.ok(ctx.app.hasPlugin('@fastify/otel'))

  // A browser login (the emailed link's landing page carries the token in its query), a mobile login.
  const sent = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'member@acme.test', organization: 'acme' } })
  t.equal(sent.statusCode, 202)
  const linkToken = await latestToken(ctx.emulator, 'member@acme.test')
  const landing = await ctx.app.inject({ url: `/v1/auth/magic-links/callback?token=${linkToken}` })
  t.equal(landing.statusCode, 200, 'the landing page')
  const browser = await loginForCookies(ctx.app, ctx.emulator, 'member@acme.test')
  const mobile = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')

  const slow = await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${mobile.session_token}` } })
  t.equal(slow.statusCode, 200, 'the session token: the slow path asks Stytch')
  const withCookies = await ctx.app.inject({ url: '/v1/me', cookies: browser.cookies })
  t.equal(withCookies.statusCode, 200)
  const organizationId = slow.json<{ organization: { organization_id: string } }>().organization.organization_id
  const created = await ctx.app.inject({
    method: 'POST',
    url: `/v1/organizations/${organizationId}/documents`,
    headers: { authorization: `Bearer ${mobile.session_jwt}` },
    payload: { title: 'Traced', body: 'hello' }
  })
  t.equal(created.statusCode, 201, 'a document written to the database')

  // A client (not a trusted proxy) naming its own trace: not honoured.
  const clientTrace = '0af7651916cd43dd8448eb211c80319c'
  const forged = await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${mobile.session_jwt}`, traceparent: `00-${clientTrace}-b7ad6b7169203331-01` } })
  t.equal(forged.statusCode, 200)
  t.equal((await ctx.app.inject('/healthz')).statusCode, 200)

  await ctx.app.close() // flushes the batch
  const { spans, raw } = collector.exported
  t.ok(spans.length > 0, `spans exported (${spans.length})`)
  t.same([...new Set(collector.exported.services)], ['tracing-test'], 'OTEL_SERVICE_NAME is the resource\'s service.name')

  const meSpans = requestSpans(spans, '/v1/me')
  t.equal(meSpans.length, 3, 'one request span per getMe')
  for (const span of meSpans) {
    t.equal(span.kind, SERVER)
    t.equal(attr(span, 'http.response.status_code'), 200)
    t.equal(attr(span, 'url.path'), '/v1/me')
    t.match(attr(span, 'http.request.id'), /^[0-9a-f-]{36}$/, 'the request id, as in the logs and X-Request-Id')
  }
  t.notOk(spans.some((s) => s.traceId === clientTrace), 'an untrusted client\'s traceparent starts no span of ours')
  t.notOk(meSpans.some((s) => s.parentSpanId !== undefined && s.parentSpanId !== ''), 'getMe request spans are roots')

  // The slow path's Stytch call is a client span in its request's trace.
  const slowSpan = meSpans.find((s) => attr(s, 'http.request.id') === slow.headers['x-request-id'])
  t.ok(slowSpan, 'the slow request\'s span, found by its X-Request-Id')
  const stytchSpans = spans.filter((s) => s.name === 'stytch session' && s.traceId === slowSpan?.traceId)
  t.equal(stytchSpans.length, 1, 'its Stytch call, in the same trace')
  t.equal(stytchSpans[0]?.kind, CLIENT)
  t.equal(stytchSpans[0] === undefined ? undefined : attr(stytchSpans[0], 'stytch.endpoint'), 'session')
  const fastSpan = meSpans.find((s) => attr(s, 'http.request.id') === withCookies.headers['x-request-id'])
  t.notOk(spans.some((s) => s.name.startsWith('stytch ') && s.traceId === fastSpan?.traceId), 'the JWT (fast path) request: no Stytch span')

  // The document write: database spans in the createDocument trace.
  const createSpan = requestSpans(spans, '/v1/organizations/:organizationId/documents', 'POST')[0]
  t.ok(createSpan, 'the createDocument request span')
  const dbSpans = spans.filter((s) => s.name.startsWith('db ') && s.traceId === createSpan?.traceId)
  t.ok(dbSpans.length >= 1, `database spans in its trace: ${dbSpans.map((s) => s.name).join(', ')}`)
  t.ok(dbSpans.every((s) => attr(s, 'db.system.name') === 'pglite' && typeof attr(s, 'db.operation.name') === 'string'))

  // Stytch calls at login (magic link authenticate, send) are traced too.
  t.ok(spans.some((s) => s.name.startsWith('stytch ') && s.name !== 'stytch session'), 'login calls to Stytch are spans')

  // The landing page URL is recorded redacted; probes are not traced.
  const landingSpan = requestSpans(spans, '/v1/auth/magic-links/callback')[0]
  t.match(attr(landingSpan ?? spans[0] as OtlpSpan, 'url.path'), /token=%5Bredacted%5D|token=\[redacted\]/, 'the link token in the URL is redacted')
  t.equal(requestSpans(spans, '/healthz').length, 0, '/healthz is not traced')

  // Nothing secret anywhere in what was exported.
  const secrets = {
    'magic-link token': linkToken,
    'session token': mobile.session_token,
    'session JWT': mobile.session_jwt,
    'Stytch secret': ctx.emulator.secret,
    ...Object.fromEntries(Object.entries(browser.cookies).map(([name, value]) => [`cookie ${name}`, value]))
  }
  for (const [what, secret] of Object.entries(secrets)) t.notOk(raw.includes(secret), `no ${what} in the exported spans`)
})

t.test('a trusted proxy\'s traceparent is followed: its trace id, its span as parent', async (t) => {
  const collector = await startCollector(t)
  const ctx = await buildApp(t, { env: { OTEL_ENABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, TRUST_PROXY: '127.0.0.1' } })
  const { session_jwt: jwt } = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const parent = '00f067aa0ba902b7'
  const me = await ctx.app.inject({ url: '/v1/me', remoteAddress: '127.0.0.1', headers: { authorization: `Bearer ${jwt}`, traceparent: `00-${traceId}-${parent}-01` } })
  t.equal(me.statusCode, 200)
  await ctx.app.close()
  const span = requestSpans(collector.exported.spans, '/v1/me')[0]
  t.equal(span?.traceId, traceId, 'the proxy\'s trace')
  t.equal(span?.parentSpanId, parent, 'under the proxy\'s span')
})

t.test('OTEL_TRACES_SAMPLE_RATIO=0: nothing is recorded', async (t) => {
  const collector = await startCollector(t)
  const ctx = await buildApp(t, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_TRACES_SAMPLE_RATIO: '0' } })
  const { session_jwt: jwt } = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${jwt}` } })).statusCode, 200)
  await ctx.app.close()
  t.equal(collector.exported.spans.length, 0)
})
