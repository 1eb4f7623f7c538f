/**
 * Transport timeouts, over real sockets: a client that trickles its headers or its body, goes
 * silent mid-request, or idles on a keep-alive connection is disconnected within the configured
 * time (plus the sweep interval and some scheduling slack), while normal requests are served.
 * Without the timeouts each of these sockets stays open for a minute or for ever, so every
 * "closed within" below fails.
 */
import { connect, type AddressInfo, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config.js'
import { serverTimeouts } from '../../src/timeouts.js'
import { buildApp } from '../helper.js'

/** Generous: the two cores are shared with other test files. */
const SLACK_MS = 1500
/** How long a test watches a socket before calling it held open. */
const GIVE_UP_MS = 6000

const FAST = { REQUEST_TIMEOUT_MS: 800, HEADERS_TIMEOUT_MS: 400, KEEP_ALIVE_TIMEOUT_MS: 300, CONNECTION_TIMEOUT_MS: 60000 }

async function listening (t: Test, env: Record<string, number>): Promise<{ port: number, logs: () => Array<Record<string, unknown>> }> {
  const built = await buildApp(t, { env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  return { port: (built.app.server.address() as AddressInfo).port, logs: () => built.logs }
}

interface Connection {
  socket: Socket
  /** Everything the server sent so far. */
  received: () => string
  /** Milliseconds from `from` (default: connected) to the server closing the socket; Infinity if still open after GIVE_UP_MS. */
  closed: (from?: number) => Promise<number>
  /** Writes `chunk` every `everyMs` until the socket closes (or `limit` writes). */
  trickle: (chunk: string, everyMs: number, limit?: number) => void
  connectedAt: number
}

async function open (t: Test, port: number): Promise<Connection> {
  const socket = connect({ port, host: '127.0.0.1' })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve).once('error', reject) })
  const connectedAt = Date.now()
  let data = ''
  let closedAt: number | undefined
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => { data += chunk })
  socket.on('error', () => {}) // EPIPE / ECONNRESET once the server hangs up: expected here
  const gone = new Promise<void>((resolve) => socket.once('close', () => { closedAt = Date.now(); resolve() }))
  const timers: NodeJS.Timeout[] = []
  t.teardown(() => { timers.forEach(clearInterval); socket.destroy() })
  return {
    socket,
    connectedAt,
    received: () => data,
    closed: async (from = connectedAt) => {
      let giveUp: NodeJS.Timeout | undefined
      await Promise.race([gone, new Promise<void>((resolve) => { giveUp = setTimeout(resolve, GIVE_UP_MS) })])
      clearTimeout(giveUp)
      return closedAt === undefined ? Infinity : closedAt - from
    },
    trickle: (chunk, everyMs, limit = Infinity) => {
      let sent = 0
      const timer = setInterval(() => {
        if (socket.destroyed || !socket.writable || sent >= limit) { clearInterval(timer); return }
        sent++
        socket.write(chunk)
      }, everyMs)
      timers.push(timer)
    }
  }
}

/** A timeout answer is Node's/Fastify's 408, or nothing at all (the socket is just closed). */
const isTimeoutAnswer = (data: string): boolean => data === '' || /^HTTP\/1\.1 408 /.test(data)

t.test('the timeouts are mapped onto the server and the sweep interval is short enough to enforce them', async (t) => {
  const defaults = serverTimeouts(loadConfig({}))
  t.same(defaults, {
    requestTimeout: 30000,
    connectionTimeout: 60000,
    keepAliveTimeout: 5000,
    http: { headersTimeout: 10000, requestTimeout: 30000, connectionsCheckingInterval: 2500 }
  }, 'defaults: 30 s request, 10 s headers, 5 s keep-alive, 60 s idle; swept every 2.5 s (Node: 30 s)')
  t.equal(serverTimeouts(loadConfig({ HEADERS_TIMEOUT_MS: '400', REQUEST_TIMEOUT_MS: '800' })).http.connectionsCheckingInterval, 100)
  t.equal(serverTimeouts(loadConfig({ HEADERS_TIMEOUT_MS: '3600000', REQUEST_TIMEOUT_MS: '3600000' })).http.connectionsCheckingInterval, 30000)
  t.throws(() => loadConfig({ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' }), /HEADERS_TIMEOUT_MS \(20000\) must not exceed REQUEST_TIMEOUT_MS/)
  t.throws(() => loadConfig({ REQUEST_TIMEOUT_MS: '0' }), /REQUEST_TIMEOUT_MS/, 'a timeout cannot be switched off')
})

t.test('request, headers and keep-alive timeouts over a real socket', async (t) => {
  const { port, logs } = await listening(t, FAST)

  t.test('normal requests are served, including headers and a body sent in pieces within the limits', async (t) => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    t.equal(health.status, 200)
    const sent = await fetch(`http://127.0.0.1:${port}/v1/auth/magic-links/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email_address: 'viewer@acme.test', organization: 'acme' })
    })
    t.equal(sent.status, 202)

    const c = await open(t, port)
    const body = '{"email_address":"viewer@acme.test","organization":"acme"}'
    c.socket.write('POST /v1/auth/magic-links/send HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    await new Promise((resolve) => setTimeout(resolve, 150))
    c.socket.write(`Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`)
    await new Promise((resolve) => setTimeout(resolve, 150))
    c.socket.write(body.slice(0, 10))
    await new Promise((resolve) => setTimeout(resolve, 150))
    c.socket.write(body.slice(10))
    t.ok(await c.closed() < Infinity)
    t.match(c.received(), /^HTTP\/1\.1 202 /, 'headers and body in pieces, 450 ms in all: answered')
  })

  t.test('a client trickling its headers is disconnected after HEADERS_TIMEOUT_MS', async (t) => {
    const c = await open(t, port)
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    c.trickle('X-Slow: 1\r\n', 100)
    const after = await c.closed()
    t.ok(after >= FAST.HEADERS_TIMEOUT_MS - 50 && after <= FAST.HEADERS_TIMEOUT_MS * 1.25 + SLACK_MS, `closed after ${after} ms (headers timeout ${FAST.HEADERS_TIMEOUT_MS} ms)`)
    t.ok(isTimeoutAnswer(c.received()), `answered 408 or nothing: ${JSON.stringify(c.received().slice(0, 40))}`)
    t.notMatch(c.received(), /HTTP\/1\.1 200/, 'the request never reached the route')
  })

  t.test('a connection that sends nothing is closed after HEADERS_TIMEOUT_MS', async (t) => {
    const c = await open(t, port)
    const after = await c.closed()
    t.ok(after <= FAST.HEADERS_TIMEOUT_MS * 1.25 + SLACK_MS, `closed after ${after} ms`)
    t.ok(isTimeoutAnswer(c.received()))
  })

  t.test('a client trickling its body is disconnected after REQUEST_TIMEOUT_MS', async (t) => {
    const c = await open(t, port)
    c.socket.write('POST /v1/auth/magic-links/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{')
    c.trickle(' ', 100)
    const after = await c.closed()
    t.ok(after >= FAST.REQUEST_TIMEOUT_MS - 50 && after <= FAST.REQUEST_TIMEOUT_MS * 1.25 + SLACK_MS, `closed after ${after} ms (request timeout ${FAST.REQUEST_TIMEOUT_MS} ms)`)
    t.ok(isTimeoutAnswer(c.received()), `answered 408 or nothing: ${JSON.stringify(c.received().slice(0, 40))}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    t.same(logs().filter((line) => Number(line.level) >= 50), [], 'a client cut off is not a server error in the logs')
  })

  t.test('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS', async (t) => {
    const c = await open(t, port)
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n')
    while (!c.received().includes('{"status":"ok"}')) await new Promise((resolve) => setTimeout(resolve, 10))
    const answeredAt = Date.now()
    t.match(c.received(), /^HTTP\/1\.1 200 /)
    t.match(c.received(), /connection: keep-alive/i, 'the connection was kept open for a next request')
    const after = await c.closed(answeredAt)
    // Node closes 1 s after the timeout it advertises (`Keep-Alive: timeout=`), to spare clients a race.
    t.ok(after >= FAST.KEEP_ALIVE_TIMEOUT_MS - 50 && after <= FAST.KEEP_ALIVE_TIMEOUT_MS + 1000 + SLACK_MS, `closed ${after} ms after the answer (keep-alive timeout ${FAST.KEEP_ALIVE_TIMEOUT_MS} ms + Node's 1 s)`)
  })
})

t.test('a connection gone silent mid-request is destroyed after CONNECTION_TIMEOUT_MS', async (t) => {
  const env = { REQUEST_TIMEOUT_MS: 30000, HEADERS_TIMEOUT_MS: 10000, KEEP_ALIVE_TIMEOUT_MS: 5000, CONNECTION_TIMEOUT_MS: 400 }
  const { port } = await listening(t, env)
  const c = await open(t, port)
  c.socket.write('POST /v1/auth/magic-links/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email')
  const after = await c.closed()
  t.ok(after >= env.CONNECTION_TIMEOUT_MS - 50 && after <= env.CONNECTION_TIMEOUT_MS + SLACK_MS, `closed after ${after} ms of silence (idle timeout ${env.CONNECTION_TIMEOUT_MS} ms; the request timeout is 30 s)`)
})
