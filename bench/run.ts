/**
 * `npm run bench` (`npm run bench -- --quick` for a shorter run): the cost of the API's hot paths,
 * as server CPU time per request and req/s, each against a bare Fastify route measured in the same
 * run.
 *
 * Processes: this one runs the Stytch emulator (standalone, so its work is never charged to the
 * server, and so the bench holds its signing key to mint sessions) and the load generator
 * (autocannon), pinned to core 1; the servers under test are pinned to core 0 (taskset, when
 * present): the bare baseline (bench/bare-server.ts: logger off, the same body as getMe), the
 * compiled app at LOG_LEVEL=info (the default), the compiled app at LOG_LEVEL=warn, and a third app at
 * info for the many-sessions scenario only (its full cache must not weigh on the others).
 *
 * CPU µs/request: utime+stime of the server process (/proc/<pid>/stat) over the scenario, divided
 * by the requests answered. Scenarios run in interleaved rounds (each round runs every scenario
 * once); a ratio is computed within its round (against that round's bare figure) and the median over
 * rounds is reported, with the per-round values. Ratios, not absolute numbers, are what carries
 * from one machine to another; nothing here is asserted by the tests.
 *
 * Options (env): BENCH_SECONDS per scenario per round (default 5, --quick 2), BENCH_ROUNDS
 * (default 3), BENCH_CONNECTIONS (default 10), BENCH_SESSIONS for the many-sessions scenario
 * (default 100000, --quick 20000), BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test;
 * the bench works in a schema of its own and drops it; unreachable = PGlite, said in the output),
 * REDIS_URL (passed to the servers), BENCH_PROFILE=DIR (each app server writes a V8 CPU profile,
 * DIR/app-LOG-LEVEL-info.cpuprofile etc., when it exits).
 */
import { createHash, KeyObject, randomBytes } from 'node:crypto'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import autocannon from 'autocannon'
import { importJWK } from 'jose'
import pg from 'pg'
import { startEmulator } from '../src/emulator/index.js'
import { createJwtVerifier } from '../src/auth/jwt-verifier.js'

const quick = process.argv.includes('--quick')
const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 2 : 5))
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)
const sessionCount = Number(process.env.BENCH_SESSIONS ?? (quick ? 20_000 : 100_000))
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

function hasTaskset (): boolean {
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const pinned = hasTaskset()
const onCore = (core: number, args: string[]): [string, string[]] => pinned ? ['taskset', ['-c', String(core), ...args]] : [args[0] as string, args.slice(1)]

const freePort = async (): Promise<number> => await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number }
    server.close(() => resolve(port))
  })
})

/** utime + stime of a process, in µs. */
function cpuMicros (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1e6
}
const rssBytes = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) * 1024

const children: ChildProcess[] = []
const tempDirs: string[] = []
const cleanups: Array<() => Promise<void>> = []
process.on('exit', () => {
  for (const child of children) child.kill()
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

async function waitFor (url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).status < 500) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not become ready`)
}

// --- the emulator (this process) and the database -------------------------------------------------
const emulator = await startEmulator({ port: await freePort(), jwtLifetimeSeconds: 3600 })
cleanups.push(async () => { await emulator.close() })

let database = 'PGlite'
let serverDatabaseUrl: string | undefined
const schema = `bench_${randomBytes(6).toString('hex')}`
try {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 })
  await client.connect()
  await client.query(`create schema ${schema}`)
  await client.end()
  serverDatabaseUrl = `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
  database = 'PostgreSQL'
  cleanups.push(async () => {
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    await admin.query(`drop schema ${schema} cascade`)
    await admin.end()
  })
} catch (err) {
  console.error(`PostgreSQL unreachable at ${databaseUrl} (${(err as Error).message}): getDocument runs on PGlite`)
}

// --- the servers under test (core 0) ---------------------------------------------------------------
interface Server { name: string, url: string, pid: number }

async function startApp (name: string, logLevel: string): Promise<Server> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-data-'))
  tempDirs.push(dataDir)
  // BENCH_PROFILE=DIR: each app server writes a V8 CPU profile there when it exits (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, `--cpu-prof-name=${name.replace(/[^A-Za-z0-9]+/g, '-')}.cpuprofile`]
  const [command, args] = onCore(0, [process.execPath, ...profile, 'dist/src/server.js'])
  const child = spawn(command, args, {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: logLevel,
      STYTCH_PROJECT_ID: emulator.projectId,
      STYTCH_SECRET: emulator.secret,
      STYTCH_API_URL: emulator.url,
      JWT_MAX_AGE_SECONDS: '3600',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
      RATE_LIMIT_LOGIN_PER_EMAIL: '1000',
      ...(serverDatabaseUrl === undefined ? {} : { DATABASE_URL: serverDatabaseUrl })
    },
    // The access log goes nowhere, as fast as a pipe to a collector would take it.
    stdio: ['ignore', 'ignore', 'inherit']
  })
  children.push(child)
  const url = `http://127.0.0.1:${port}`
  await waitFor(`${url}/readyz`)
  return { name, url, pid: child.pid as number }
}

async function startBare (body: string): Promise<Server> {
  const port = await freePort()
  const [command, args] = onCore(0, [process.execPath, '--import', 'tsx', 'bench/bare-server.ts'])
  const child = spawn(command, args, { env: { ...process.env, PORT: String(port), BENCH_BODY: body }, stdio: ['ignore', 'ignore', 'inherit'] })
  children.push(child)
  const url = `http://127.0.0.1:${port}`
  await waitFor(`${url}/v1/me`)
  return { name: 'bare', url, pid: child.pid as number }
}

const info = await startApp('app, LOG_LEVEL=info', 'info')
const warn = await startApp('app, LOG_LEVEL=warn', 'warn')
// The many-sessions scenario has a server of its own: its 100,000-entry cache (~150 MB of heap)
// would otherwise weigh on the info server's other scenarios (GC) and skew the info/warn comparison.
const many = await startApp('app, LOG_LEVEL=info, many sessions', 'info')

async function json<T> (url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init)
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${new URL(url).pathname}: ${response.status}`)
  return await response.json() as T
}

/** Logs in as a mobile app does: its own PKCE pair (challenge with the send, verifier with the token). */
async function login (email: string): Promise<{ session_token: string, session_jwt: string }> {
  const post = { method: 'POST', headers: { 'content-type': 'application/json' } }
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  await json(`${info.url}/v1/auth/magic-links/send`, { ...post, body: JSON.stringify({ email_address: email, organization: 'acme', pkce_code_challenge: challenge }) })
  const { messages } = await json<{ messages: Array<{ token: string }> }>(`${emulator.url}emulator/outbox?email=${encodeURIComponent(email)}`)
  return await json(`${info.url}/v1/auth/magic-links/authenticate`, { ...post, body: JSON.stringify({ token: messages.at(-1)?.token, delivery: 'body', pkce_code_verifier: verifier }) })
}

const upstreamCalls = async (): Promise<number> => (await json<{ total: number }>(`${emulator.url}emulator/calls`)).total

const tokens = await login('admin@acme.test')
const bearer = { authorization: `Bearer ${tokens.session_jwt}` }
const cookie = { cookie: `__Host-stytch_session_jwt=${tokens.session_jwt}; __Host-stytch_session=${tokens.session_token}` }
const meBody = await (await fetch(`${info.url}/v1/me`, { headers: bearer })).text()
const bare = await startBare(meBody)
const document = await json<{ id: string }>(`${info.url}/v1/organizations/acme/documents`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...bearer }, body: JSON.stringify({ title: 'bench', body: 'x'.repeat(500) })
})

// --- many sessions: distinct JWTs signed with the emulator's key, minted on both cores -------------
const [headerPart, payloadPart] = tokens.session_jwt.split('.') as [string, string]
const pem = KeyObject.from(emulator.state.keys.current.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString()
async function mint (from: number, count: number, core: number): Promise<string[]> {
  const [command, args] = onCore(core, [process.execPath, '--import', 'tsx', 'bench/mint.ts'])
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  children.push(child)
  let out = ''
  child.stdout?.on('data', (chunk) => { out += String(chunk) })
  child.stdin?.end(JSON.stringify({
    pem,
    header: JSON.parse(Buffer.from(headerPart, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payloadPart, 'base64url').toString()),
    from,
    count
  }))
  await new Promise((resolve) => child.on('exit', resolve))
  return out.split('\n').filter((line) => line.length > 0)
}
const mintStarted = Date.now()
const half = Math.floor(sessionCount / 2)
const sessions = (await Promise.all([mint(0, half, 0), mint(half, sessionCount - half, 1)])).flat()
if (sessions.length !== sessionCount) throw new Error(`minted ${sessions.length} of ${sessionCount} sessions`)
console.error(`minted ${sessionCount} session JWTs in ${((Date.now() - mintStarted) / 1000).toFixed(0)} s`)
let next = 0
const cycling: autocannon.Request[] = [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${sessions[next++ % sessionCount] as string}` } }) }]

// --- scenarios --------------------------------------------------------------------------------------
interface Scenario { name: string, server: Server, path: string, headers?: Record<string, string>, cycle?: boolean }
const documentPath = `/v1/organizations/acme/documents/${document.id}`
const scenarios: Scenario[] = [
  { name: 'bare Fastify route (logger off, same body)', server: bare, path: '/v1/me' },
  { name: 'getMe, JWT cookie, info', server: info, path: '/v1/me', headers: cookie },
  { name: 'getMe, bearer JWT, info', server: info, path: '/v1/me', headers: bearer },
  { name: 'getMe, JWT cookie, warn', server: warn, path: '/v1/me', headers: cookie },
  { name: 'getMe, bearer JWT, warn', server: warn, path: '/v1/me', headers: bearer },
  { name: `getMe, bearer JWT, ${sessionCount} sessions cycled, info`, server: many, path: '/v1/me', cycle: true },
  { name: `getDocument, bearer JWT + RBAC + ${database}, info`, server: info, path: documentPath, headers: bearer },
  { name: 'getMe, bearer session token (slow path), info', server: info, path: '/v1/me', headers: { authorization: `Bearer ${tokens.session_token}` } }
]
const BARE = 0
const SINGLE = 2
const MANY = 5
const DOCUMENT = 6

interface Run { rps: number, cpuPerRequest: number, p50: number, p99: number, errors: number, upstreamPer1000: number }

async function measure (s: Scenario): Promise<Run> {
  const calls = await upstreamCalls()
  const cpu = cpuMicros(s.server.pid)
  const result = await autocannon({ url: `${s.server.url}${s.path}`, headers: s.headers ?? {}, connections, duration: seconds, ...(s.cycle === true ? { requests: cycling } : {}) })
  const used = cpuMicros(s.server.pid) - cpu
  const requests = result.requests.total
  return {
    rps: requests / seconds,
    cpuPerRequest: used / Math.max(requests, 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
    upstreamPer1000: requests === 0 ? 0 : (((await upstreamCalls()) - calls) / requests) * 1000
  }
}

// Warm-up: every scenario once, and every one of the many sessions verified once (the cache fill).
for (const s of scenarios) await autocannon({ url: `${s.server.url}${s.path}`, headers: s.headers ?? {}, connections, duration: 1 })
const rssBefore = rssBytes(many.pid)
const fill = await autocannon({ url: `${many.url}/v1/me`, connections, amount: sessionCount, requests: cycling })
const rssAfter = rssBytes(many.pid)
console.error(`cache fill: ${fill.requests.total} requests (${fill.non2xx} non-2xx), ${Math.round(fill.requests.total / (fill.duration || 1))} req/s while verifying signatures`)

const results: Run[][] = scenarios.map(() => [])
for (let round = 0; round < rounds; round++) {
  for (const [i, s] of scenarios.entries()) results[i]?.push(await measure(s))
  console.error(`round ${round + 1}/${rounds} done`)
}

// --- memory per verified-token cache entry, measured on the verifier itself ------------------------
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const publicKey = await importJWK(emulator.state.keys.current.publicJwk, 'RS256') as CryptoKey
const sample = sessions.slice(0, Math.min(20_000, sessionCount))
const verifier = createJwtVerifier({
  jwks: { lookup: () => ({ status: 'found', key: publicKey }), has: () => true, refresh: async () => {}, loaded: true },
  projectId: emulator.projectId,
  clockToleranceSeconds: 5,
  maxTokenAgeSeconds: 3600,
  cacheSize: sample.length
})
gc()
const heapBefore = process.memoryUsage().heapUsed
for (const token of sample) await verifier.verify(token)
gc()
const bytesPerEntry = (process.memoryUsage().heapUsed - heapBefore) / verifier.size

// --- report ----------------------------------------------------------------------------------------
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const fmt = (values: number[], digits: number): string => values.map((v) => v.toFixed(digits)).join(' ')
const perRound = (i: number, f: (run: Run, round: number) => number): number[] => (results[i] ?? []).map(f)
const bareRuns = results[BARE] ?? []

console.log(`\n${connections} connections, ${rounds} rounds × ${seconds}s per scenario, Node ${process.version}, ${pinned ? 'servers on core 0, load generator and emulator on core 1' : 'not pinned (no taskset)'}${process.env.REDIS_URL === undefined ? '' : ', REDIS_URL set'}, documents in ${database}\n`)
console.log('| scenario | req/s | CPU µs/req | req/s ratio to bare | CPU-cost ratio to bare (bare µs / µs) | p50 / p99 ms | non-2xx+errors | Stytch calls / 1,000 req |')
console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
for (const [i, s] of scenarios.entries()) {
  const runs = results[i] ?? []
  const rpsRatios = perRound(i, (r, round) => r.rps / (bareRuns[round]?.rps ?? Number.NaN))
  const cpuRatios = perRound(i, (r, round) => (bareRuns[round]?.cpuPerRequest ?? Number.NaN) / r.cpuPerRequest)
  console.log(`| ${s.name} | ${Math.round(median(runs.map((r) => r.rps)))} (${fmt(runs.map((r) => r.rps), 0)}) | ${median(runs.map((r) => r.cpuPerRequest)).toFixed(0)} (${fmt(runs.map((r) => r.cpuPerRequest), 0)}) | ${median(rpsRatios).toFixed(2)} (${fmt(rpsRatios, 2)}) | ${median(cpuRatios).toFixed(2)} (${fmt(cpuRatios, 2)}) | ${median(runs.map((r) => r.p50))} / ${median(runs.map((r) => r.p99))} | ${runs.reduce((sum, r) => sum + r.errors, 0)} | ${median(runs.map((r) => r.upstreamPer1000)).toFixed(1)} |`)
}
const within = (a: number, b: number): number[] => perRound(a, (r, round) => r.cpuPerRequest / (results[b]?.[round]?.cpuPerRequest ?? Number.NaN))
const manyRatios = within(MANY, SINGLE)
const documentRatios = within(DOCUMENT, SINGLE)
console.log('\nPer round in parentheses; medians outside.')
console.log(`${sessionCount} sessions cycled: CPU/req ${median(manyRatios).toFixed(2)}× the single session (${fmt(manyRatios, 2)}; target ≤ 1.5×).`)
console.log(`getDocument: CPU/req ${median(documentRatios).toFixed(2)}× getMe bearer at info (${fmt(documentRatios, 2)}; target ≤ 2.5×).`)
console.log(`Verified-token cache: ${bytesPerEntry.toFixed(0)} bytes per entry (heap, ${verifier.size} entries measured on the verifier); the many-sessions server's RSS grew ${((rssAfter - rssBefore) / 2 ** 20).toFixed(1)} MiB while ${sessionCount} sessions filled it.`)

// Flood (issue 10): 5,000 requests with distinct random session tokens from one client, while a
// legitimate user keeps calling getMe with a valid JWT. Reported: Stytch calls the flood caused,
// and the legitimate user's p99 during the flood against its idle p99 (target: at most 2x).
const legit = { url: `${info.url}/v1/me`, headers: bearer, connections: 2 }
const idle = await autocannon({ ...legit, duration: seconds })
const beforeFlood = await upstreamCalls()
const randomToken = (): string => randomBytes(33).toString('base64url')
const [during, flood] = await Promise.all([
  autocannon({ ...legit, duration: seconds }),
  autocannon({
    url: `${info.url}/v1/me`,
    connections,
    amount: 5000,
    requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${randomToken()}` } }) }]
  })
])
const floodCalls = (await upstreamCalls()) - beforeFlood
console.log(`\nFlood: ${flood.requests.total} requests with distinct random session tokens (statuses ${JSON.stringify(flood.statusCodeStats)}) caused ${floodCalls} Stytch calls (target ≤ 50).`)
console.log(`Legitimate getMe (bearer JWT) p99: idle ${idle.latency.p99} ms, during the flood ${during.latency.p99} ms: ${(during.latency.p99 / Math.max(idle.latency.p99, 1)).toFixed(2)}x (target ≤ 2x); ${during.non2xx} non-2xx.`)

for (const child of children) child.kill()
for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => { console.error(`cleanup: ${(err as Error).message}`) })
process.exit(0)
