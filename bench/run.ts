/**
 * `npm run bench`: starts the compiled server (embedded emulator) in a child process, logs in
 * through the API, then drives each scenario with autocannon from this process for a bounded time.
 * Prints req/s, p50/p99 latency and each scenario's ratio to the /healthz baseline measured in the
 * same run, plus the Stytch calls each scenario caused per 1,000 requests.
 *
 * This machine kind has 2 cores and neighbours that come and go, so: the server is pinned to one
 * core and the load generator to the other (taskset, when present), and the scenarios run in
 * BENCH_ROUNDS interleaved rounds; a ratio is computed within each round (against that round's
 * baseline) and the median over rounds is reported.
 * Options (env): BENCH_SECONDS per scenario per round (default 5), BENCH_ROUNDS (default 3),
 * BENCH_CONNECTIONS (default 10); REDIS_URL / DATABASE_URL are passed to the server.
 */
import { createHash, randomBytes } from 'node:crypto'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'

const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)

function hasTaskset (): boolean {
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const pinned = hasTaskset()

const freePort = async (): Promise<number> => await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number }
    server.close(() => resolve(port))
  })
})

const [appPort, emulatorPort] = [await freePort(), await freePort()]
const api = `http://127.0.0.1:${appPort}`
const emulator = `http://127.0.0.1:${emulatorPort}/`
const dataDir = mkdtempSync(join(tmpdir(), 'bench-data-'))
const command = pinned ? ['taskset', '-c', '0', process.execPath] : [process.execPath]
const child = spawn(command[0] as string, [...command.slice(1), 'dist/src/server.js'], {
  env: { ...process.env, DATA_DIR: dataDir, PORT: String(appPort), EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: 'warn', RATE_LIMIT_LOGIN_PER_IP: '1000', RATE_LIMIT_LOGIN_PER_EMAIL: '1000', STYTCH_PROJECT_ID: '', STYTCH_SECRET: '' },
  stdio: ['ignore', 'ignore', 'inherit']
})
process.on('exit', () => {
  child.kill()
  rmSync(dataDir, { recursive: true, force: true })
})

async function waitReady (): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${api}/readyz`)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('server did not become ready')
}

async function json<T> (url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init)
  return await response.json() as T
}

/** Logs in as a mobile app does: its own PKCE pair (challenge with the send, verifier with the token). */
async function login (email: string): Promise<{ session_token: string, session_jwt: string }> {
  const post = { method: 'POST', headers: { 'content-type': 'application/json' } }
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  await fetch(`${api}/v1/auth/magic-links/send`, { ...post, body: JSON.stringify({ email_address: email, organization: 'acme', pkce_code_challenge: challenge }) })
  const { messages } = await json<{ messages: Array<{ token: string }> }>(`${emulator}emulator/outbox?email=${encodeURIComponent(email)}`)
  return await json(`${api}/v1/auth/magic-links/authenticate`, { ...post, body: JSON.stringify({ token: messages.at(-1)?.token, delivery: 'body', pkce_code_verifier: verifier }) })
}

const upstreamCalls = async (): Promise<number> => (await json<{ total: number }>(`${emulator}emulator/calls`)).total

interface Row { name: string, rps: number, p50: number, p99: number, errors: number, requests: number, upstreamPer1000: number }
interface Scenario { name: string, path: string, headers?: Record<string, string> }

async function measure ({ name, path, headers = {} }: Scenario): Promise<Row> {
  const before = await upstreamCalls()
  const result = await autocannon({ url: `${api}${path}`, headers, connections, duration: seconds })
  const calls = (await upstreamCalls()) - before
  const requests = result.requests.total
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
    requests,
    upstreamPer1000: requests === 0 ? 0 : (calls / requests) * 1000
  }
}

await waitReady()
const tokens = await login('admin@acme.test')
const cookie = `__Host-stytch_session_jwt=${tokens.session_jwt}; __Host-stytch_session=${tokens.session_token}`

const post = { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.session_jwt}` } }
const document = await json<{ id: string }>(`${api}/v1/organizations/acme/documents`, { ...post, body: JSON.stringify({ title: 'bench', body: 'x'.repeat(500) }) })
const scenarios: Scenario[] = [
  { name: 'healthz (baseline)', path: '/healthz' },
  { name: 'getMe, JWT cookie', path: '/v1/me', headers: { cookie } },
  { name: 'getMe, bearer JWT', path: '/v1/me', headers: { authorization: `Bearer ${tokens.session_jwt}` } },
  { name: 'getDocument, bearer JWT + RBAC + DB read', path: `/v1/organizations/acme/documents/${document.id}`, headers: { authorization: `Bearer ${tokens.session_jwt}` } },
  { name: 'getMe, bearer session token (slow path)', path: '/v1/me', headers: { authorization: `Bearer ${tokens.session_token}` } }
]
for (const s of scenarios) await autocannon({ url: `${api}${s.path}`, headers: s.headers ?? {}, connections, duration: 1 }) // warm-up

const results: Row[][] = scenarios.map(() => [])
for (let round = 0; round < rounds; round++) {
  for (const [i, s] of scenarios.entries()) results[i]?.push(await measure(s))
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const baselines = results[0] ?? []
const rows = results.map((runs) => ({
  name: runs[0]?.name ?? '',
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  errors: runs.reduce((sum, r) => sum + r.errors, 0),
  upstreamPer1000: median(runs.map((r) => r.upstreamPer1000)),
  ratio: median(runs.map((r, round) => r.rps / (baselines[round]?.rps ?? Number.NaN))),
  ratios: runs.map((r, round) => (r.rps / (baselines[round]?.rps ?? Number.NaN)).toFixed(2))
}))

console.log(`\n${connections} connections, ${rounds} rounds × ${seconds}s per scenario, Node ${process.version}, ${pinned ? 'server on core 0, load on core 1' : 'not pinned (no taskset)'}${process.env.REDIS_URL === undefined ? '' : ', REDIS_URL set'}${process.env.DATABASE_URL === undefined ? ', PGlite' : ', PostgreSQL'}\n`)
console.log('| scenario | req/s (median) | p50 ms | p99 ms | ratio to baseline (median) | ratio per round | non-2xx+errors | Stytch calls / 1,000 req |')
console.log('|---|---:|---:|---:|---:|---|---:|---:|')
for (const row of rows) {
  console.log(`| ${row.name} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${row.ratio.toFixed(2)} | ${row.ratios.join(' ')} | ${row.errors} | ${row.upstreamPer1000.toFixed(1)} |`)
}

// Flood (issue 10): 5,000 requests with distinct random session tokens from one client, while a
// legitimate user keeps calling getMe with a valid JWT. Reported: Stytch calls the flood caused,
// and the legitimate user's p99 during the flood against its idle p99 (target: at most 2x).
const legit = { url: `${api}/v1/me`, headers: { authorization: `Bearer ${tokens.session_jwt}` }, connections: 2 }
const idle = await autocannon({ ...legit, duration: seconds })
const beforeFlood = await upstreamCalls()
const randomToken = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(33))).toString('base64url')
const [during, flood] = await Promise.all([
  autocannon({ ...legit, duration: seconds }),
  autocannon({
    url: `${api}/v1/me`,
    connections,
    amount: 5000,
    requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${randomToken()}` } }) }]
  })
])
const floodCalls = (await upstreamCalls()) - beforeFlood
console.log(`\nFlood: ${flood.requests.total} requests with distinct random session tokens (statuses ${JSON.stringify(flood.statusCodeStats)}) caused ${floodCalls} Stytch calls (target ≤ 50).`)
console.log(`Legitimate getMe (bearer JWT) p99: idle ${idle.latency.p99} ms, during the flood ${during.latency.p99} ms: ${(during.latency.p99 / Math.max(idle.latency.p99, 1)).toFixed(2)}x (target ≤ 2x); ${during.non2xx} non-2xx.`)
child.kill()
process.exit(0)
