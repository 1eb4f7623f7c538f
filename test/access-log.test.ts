/**
 * Issue 12: one access-log line per request, written on response (Fastify's "incoming request" and
 * "request completed" pair is off), with method, route, redacted URL, status, response time,
 * request id and member id, and nothing else of the request: no header, cookie or body field.
 * Below info nothing is logged for a successful request.
 */
import { mkdtempSync, openSync, readFileSync, closeSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { batchedLogStream } from '../src/logging.js'
import { buildApp, loginForTokens } from './helper.js'

t.test('one line per request, on response, with the fields an operator needs and no credential', async (t) => {
  const ctx = await buildApp(t, { env: { LOG_LEVEL: 'info' } })
  const { session_jwt: jwt, session_token: sessionToken, member } = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const before = ctx.rawLogs.length
  const me = await ctx.app.inject({ url: '/v1/me?x=1', headers: { authorization: `Bearer ${jwt}`, cookie: `unrelated=${sessionToken}` } })
  t.equal(me.statusCode, 200)
  const denied = await ctx.app.inject({ url: '/v1/me' })
  t.equal(denied.statusCode, 401)
  const lines = ctx.logs.slice(before).filter((l) => l.msg === 'request completed')
  t.equal(lines.length, 2, 'exactly one access line per request')
  const [ok, refused] = lines as [Record<string, unknown>, Record<string, unknown>]
  t.match(ok, {
    level: 30,
    msg: 'request completed',
    reqId: String,
    req: { method: 'GET', url: '/v1/me?x=1', route: '/v1/me' },
    res: { statusCode: 200 },
    responseTime: Number,
    memberId: member.member_id
  })
  t.same(Object.keys(ok.req as object).sort(), ['method', 'route', 'url'], 'the request part holds nothing else (no headers)')
  t.notOk('headers' in ok, 'no headers anywhere in the line')
  t.match(refused, { msg: 'request completed', res: { statusCode: 401 }, req: { route: '/v1/me' } })
  t.equal(refused.memberId, undefined, 'no member on an unauthenticated request')
  const leaked = ctx.rawLogs.slice(before).filter((line) => line.includes(jwt) || line.includes(sessionToken))
  t.same(leaked, [], 'neither the bearer JWT nor the cookie value is logged')
  t.equal(ctx.logs.filter((l) => l.msg === 'incoming request').length, 0, 'Fastify\'s own request lines are off')
})

t.test('an error answer carries its request id in the access line; the request id matches the body', async (t) => {
  const ctx = await buildApp(t, { env: { LOG_LEVEL: 'info' } })
  const response = await ctx.app.inject({ url: '/nope?token=secret-value-123' })
  t.equal(response.statusCode, 404)
  const line = ctx.logs.find((l) => l.msg === 'request completed')
  t.match(line, { reqId: response.json<{ requestId: string }>().requestId, res: { statusCode: 404 }, req: { url: '/nope?token=[redacted]' } })
  t.notOk(ctx.rawLogs.some((l) => l.includes('secret-value-123')), 'the query credential is redacted')
})

t.test('at warn a successful request writes nothing', async (t) => {
  const ctx = await buildApp(t, { env: { LOG_LEVEL: 'warn' } })
  const before = ctx.rawLogs.length
  t.equal((await ctx.app.inject('/healthz')).statusCode, 200)
  t.equal(ctx.rawLogs.length, before)
})

t.test('the server\'s log stream: the lines of one turn in one write, in order, none lost at flush', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'log-stream-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'log')
  const fd = openSync(file, 'w')
  const stream = batchedLogStream(fd)
  stream.write('{"n":1}\n')
  stream.write('{"n":2}\n')
  t.equal(readFileSync(file, 'utf8'), '', 'nothing written within the turn')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n', 'written when the turn ends, in order')
  stream.write('{"n":3,"s":"é"}\n')
  stream.flush()
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3,"s":"é"}\n', 'flush writes at once (as at exit)')
  stream.flush()
  closeSync(fd)
})
