import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { loadConfig } from '../../src/config.js'

// There is no Docker engine on this machine kind: the Dockerfile, .ci/run's Node pin and
// compose.yaml are checked for the properties that matter, and the compose environment goes
// through the API's own configuration schema.
const repo = join(import.meta.dirname, '..', '..')
const read = (file: string): string => readFileSync(join(repo, file), 'utf8')

interface Service {
  build?: string | { context: string }
  image?: string
  environment?: Record<string, string>
  ports?: string[]
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
  volumes?: string[]
}

const dockerfile = read('Dockerfile')
const fromVersions = [...dockerfile.matchAll(/^FROM node:(\S+?)-(\S+)/gm)].map((m) => ({ version: m[1] ?? '', variant: m[2] ?? '' }))
const imageNode = fromVersions[0]?.version ?? ''

/** `${NAME:-default}` as compose interpolates it with NAME unset. */
const interpolate = (value: string): string => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')

/** Whether `version` (x.y.z) satisfies a `^a.b.c || >=d.e.f` range, the two forms `engines` uses here. */
const satisfies = (version: string, range: string): boolean => {
  const num = (v: string): number[] => v.split('.').map(Number)
  const cmp = (a: number[], b: number[]): number => (a[0]! - b[0]!) || (a[1]! - b[1]!) || (a[2]! - b[2]!)
  const v = num(version)
  return range.split('||').map((s) => s.trim()).some((part) => {
    if (part.startsWith('>=')) return cmp(v, num(part.slice(2))) >= 0
    if (part.startsWith('^')) { const base = num(part.slice(1)); return v[0] === base[0] && cmp(v, base) >= 0 }
    throw new Error(`range form not handled: ${part}`)
  })
}

t.test('the image runs one exact Node LTS release, the one .ci/run tests on, inside the engines range', async (t) => {
  t.equal(fromVersions.length, 2, 'build and runtime stages')
  t.ok(fromVersions.every((f) => f.version === imageNode && f.variant === fromVersions[0]?.variant), 'both stages on the same base')
  t.match(imageNode, /^\d+\.\d+\.\d+$/, 'pinned to an exact release, not a moving tag')
  t.equal(Number(imageNode.split('.')[0]) % 2, 0, 'an even (LTS) major line')
  const [pinned, integrity] = read('.ci/node-lts').trim().split(/\s+/)
  t.equal(pinned, imageNode, '.ci/node-lts pins the image\'s version')
  t.match(integrity, /^sha512-[A-Za-z0-9+/]+=*$/, 'with the registry tarball\'s integrity')
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node
  t.ok(satisfies(imageNode, engines), `${imageNode} satisfies engines ${engines}`)
  t.notOk(satisfies('20.20.2', engines), 'Node 20 (EOL, below what cookie@2 and fastify-metrics declare) is outside it')
  t.ok(satisfies('22.19.0', engines) && satisfies('26.0.0', engines) && !satisfies('23.11.0', engines), 'the maintained LTS lines')
})

t.test('each .ci/run pass runs on the Node it says it does', async (t) => {
  const expected = process.env.EXPECT_NODE_VERSION
  if (expected === undefined) {
    t.pass('not under .ci/run (EXPECT_NODE_VERSION unset)')
    return
  }
  t.equal(process.version, expected)
})

t.test('the image\'s DATA_DIR exists, belongs to the non-root user it runs as, and is a volume', async (t) => {
  const dataDir = /^\s*DATA_DIR=(\S+)/m.exec(dockerfile)?.[1]
  t.equal(dataDir, '/data')
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '))
  const create = runtime.search(/^RUN install -d -o node -g node .*\/data$/m)
  const user = runtime.search(/^USER node$/m)
  t.ok(create !== -1 && user !== -1 && create < user, 'created as root, owned by node, before USER node')
  t.match(runtime, /^VOLUME \["\/data"\]$/m)
})

t.test('compose.yaml: the API from the Dockerfile with PostgreSQL and Redis, healthy before it starts, wired by URL', async (t) => {
  const compose = parse(read('compose.yaml')) as { services: Record<string, Service>, volumes: Record<string, unknown> }
  const { api, postgres, redis } = compose.services
  if (api === undefined || postgres === undefined || redis === undefined) throw new Error('services api, postgres and redis expected')
  t.same(Object.keys(compose.services).sort(), ['api', 'postgres', 'redis'])
  t.equal(typeof api.build === 'string' ? api.build : api.build?.context, '.', 'built from the repository\'s Dockerfile')
  t.same(api.depends_on, { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } })
  for (const [name, service] of Object.entries(compose.services)) t.ok((service.healthcheck?.test.length ?? 0) > 1, `${name} has a healthcheck`)
  t.match(postgres.image, /^postgres:\d+\.\d+-/, 'PostgreSQL pinned to a release')
  t.match(redis.image, /^redis:\d+\.\d+\.\d+-/, 'Redis pinned to a release')

  const env = Object.fromEntries(Object.entries(api.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]))
  const pg = postgres.environment ?? {}
  const db = new URL(env.DATABASE_URL ?? '')
  t.same([db.hostname, db.port, db.username, db.password, db.pathname], ['postgres', '5432', pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, `/${pg.POSTGRES_DB}`], 'DATABASE_URL names the postgres service and its credentials')
  const cache = new URL(env.REDIS_URL ?? '')
  t.same([cache.protocol, cache.hostname, cache.port], ['redis:', 'redis', '6379'])

  const config = loadConfig(env)
  t.equal(config.DATABASE_URL, env.DATABASE_URL, 'the environment passes the API\'s own schema')
  t.equal(config.HOST, '0.0.0.0', 'listens beyond the container\'s loopback')
  t.equal(config.DATA_DIR, '/data')
  t.ok(api.volumes?.includes('api-data:/data') && 'api-data' in compose.volumes, 'DATA_DIR on a named volume')
  t.ok(api.ports?.includes(`127.0.0.1:${config.PORT}:${config.PORT}`), 'the API port published on the host\'s loopback')
  t.equal(config.PUBLIC_URL, `http://127.0.0.1:${config.PORT}`, 'links point at the published port')
  t.equal(config.STYTCH_SECRET, undefined, 'the embedded emulator unless credentials are given')
  t.not(env.NODE_ENV, 'production', 'by default: production refuses to start without credentials')
})
