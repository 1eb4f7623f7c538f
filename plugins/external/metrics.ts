import { timingSafeEqual, createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { InvalidCredentialsError } from '../../src/errors.js'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** What the app's services report (plugins/app/*): counters and the one wrapper per kind of I/O. */
export interface Observability {
  /** Prometheus metrics are collected (METRICS_ENABLED and, in production, protected). */
  readonly enabled: boolean
  readonly registry: Registry
  /** One authentication decision: `fast` (JWT) or `slow` (Stytch), and `accepted` or the refusal's code. */
  auth (path: 'fast' | 'slow', outcome: string): void
  /** One Stytch call (the stytch plugin's one wrapper): latency and outcome, and a span when tracing. */
  stytch<T> (endpoint: string, fn: () => Promise<T>): Promise<T>
  /** One database statement or transaction (the db plugin's wrapper): a span when tracing. */
  db<T> (operation: string, fn: () => Promise<T>): Promise<T>
  /** How the slow path's single flight answered (src/auth/session-refresher.ts). */
  sharing (how: 'led' | 'joined' | 'reused' | 'unshared'): void
  /** A request refused by @fastify/rate-limit, by route template. */
  rateLimited (route: string): void
  /** Cross-instance revocation ack latency (src/revocation/redis-store.ts). */
  revocationAck (seconds: number, outcome: 'acked' | 'timed_out'): void
  /** Tracing (plugins/external/tracing.ts) wraps I/O in spans through this. */
  setSpanWrapper (wrap: SpanWrapper): void
}

export type SpanWrapper = <T>(name: string, attributes: Record<string, string>, fn: () => Promise<T>) => Promise<T>

declare module 'fastify' {
  interface FastifyInstance {
    obs: Observability
  }
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Constant-time comparison of a presented bearer token with METRICS_TOKEN (digests: equal lengths). */
const digest = (value: string): Buffer => createHash('sha256').update(value).digest()
function bearerMatches (header: string | undefined, expected: Buffer): boolean {
  const presented = header?.startsWith('Bearer ') === true ? header.slice(7) : ''
  return timingSafeEqual(digest(presented), expected)
}

/**
 * Prometheus metrics (issue 13), on prom-client with a registry per app (no global state: tests
 * build many apps in one process). Request rate and latency by route template and status come
 * from Fastify's own `elapsedTime` in one onResponse hook; the services report through
 * `fastify.obs`; gauges (revocation list, Redis health, DB pool) are read at scrape time only.
 *
 * Served at /metrics on the API port, or with METRICS_PORT on a listener of its own; METRICS_TOKEN
 * makes it require `Authorization: Bearer <token>`. In production (NODE_ENV=production) without
 * either, it is not served on the API port (and a warning says so). /metrics is not part of the
 * OpenAPI document (registered before swagger, and hidden).
 */
export default fp(async function metrics (fastify: FastifyInstance) {
  const { config } = fastify
  const unprotected = config.METRICS_TOKEN === undefined && config.METRICS_PORT === undefined
  const enabled = config.METRICS_ENABLED && !(config.NODE_ENV === 'production' && unprotected)
  if (config.METRICS_ENABLED && !enabled) fastify.log.warn('metrics not served: in production /metrics needs METRICS_TOKEN or METRICS_PORT')
  const registry = new Registry()
  let spans: SpanWrapper | undefined

  const passthrough: Observability = {
    enabled: false,
    registry,
    auth () {},
    stytch: (endpoint, fn) => spans === undefined ? fn() : spans(`stytch ${endpoint}`, { 'stytch.endpoint': endpoint }, fn),
    db: (operation, fn) => spans === undefined ? fn() : spans(`db ${operation}`, { 'db.operation.name': operation, 'db.system.name': config.DATABASE_URL === undefined ? 'pglite' : 'postgresql' }, fn),
    sharing () {},
    rateLimited () {},
    revocationAck () {},
    setSpanWrapper (wrap) { spans = wrap }
  }
  if (!enabled) {
    fastify.decorate('obs', passthrough)
    return
  }

  collectDefaultMetrics({ register: registry })
  const requests = new Histogram({ name: 'http_request_duration_seconds', help: 'Requests by method, route template and status: latency in seconds (the _count is the request rate)', labelNames: ['method', 'route', 'status_code'], buckets: LATENCY_BUCKETS, registers: [registry] })
  const auth = new Counter({ name: 'auth_outcomes_total', help: 'Authentication decisions by path (fast: JWT, slow: Stytch) and outcome (accepted or the refusal code)', labelNames: ['path', 'outcome'], registers: [registry] })
  const stytchCalls = new Histogram({ name: 'stytch_call_duration_seconds', help: 'Stytch calls by endpoint and outcome (ok or the API error code it became): latency in seconds', labelNames: ['endpoint', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry] })
  const sharing = new Counter({ name: 'session_refresh_single_flight_total', help: 'Slow-path Stytch session checks: led (own call), joined (a call in flight), reused (a recent answer), unshared', labelNames: ['how'], registers: [registry] })
  const rateLimited = new Counter({ name: 'rate_limit_rejections_total', help: 'Requests refused by the rate limits (429), by route template', labelNames: ['route'], registers: [registry] })
  const acks = new Histogram({ name: 'revocation_ack_duration_seconds', help: 'How long the other instances took to acknowledge a revocation (Redis), by outcome', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers: [registry] })
  // Read at scrape time: nothing on the request path.
  new Gauge({ name: 'revocation_list_size', help: 'Sessions in this instance\'s revocation list', registers: [registry], collect () { this.set(fastify.hasDecorator('revocations') ? fastify.revocations.size : 0) } }) // eslint-disable-line no-new
  new Gauge({ name: 'revocation_store_healthy', help: '1 when the revocation list can be trusted (memory, or Redis connected and loaded)', registers: [registry], collect () { this.set(fastify.hasDecorator('revocations') && fastify.revocations.healthy ? 1 : 0) } }) // eslint-disable-line no-new
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting: requests queued for one; max); PGlite: total 1',
    labelNames: ['state'],
    registers: [registry],
    collect () {
      const stats = fastify.hasDecorator('db') ? fastify.db.poolStats?.() ?? { total: 1, idle: 0, waiting: 0, max: 1 } : undefined
      if (stats === undefined) return
      for (const [state, value] of Object.entries(stats)) this.set({ state }, value)
    }
  })
  const dbQueries = new Histogram({ name: 'db_query_duration_seconds', help: 'Database statements and transactions by operation and outcome: latency in seconds', labelNames: ['operation', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry] })

  const timed = <T>(histogram: Histogram<string>, labels: Record<string, string>, fn: () => Promise<T>): Promise<T> => {
    const end = histogram.startTimer(labels)
    return fn().then((value) => {
      end({ outcome: 'ok' })
      return value
    }, (err: unknown) => {
      // Stytch's error_type (a bounded set), or the error's code (ours, Node's), never its message.
      const { error_type: type, code } = err as { error_type?: unknown, code?: unknown }
      end({ outcome: typeof type === 'string' ? type : typeof code === 'string' ? code.toLowerCase() : 'error' })
      throw err
    })
  }

  fastify.decorate('obs', {
    ...passthrough,
    enabled: true,
    auth (path, outcome) { auth.inc({ path, outcome }) },
    stytch: (endpoint, fn) => timed(stytchCalls, { endpoint }, () => passthrough.stytch(endpoint, fn)),
    db: (operation, fn) => timed(dbQueries, { operation }, () => passthrough.db(operation, fn)),
    sharing (how) { sharing.inc({ how }) },
    rateLimited (route) { rateLimited.inc({ route }) },
    revocationAck (seconds, outcome) { acks.observe({ outcome }, seconds) }
  } satisfies Observability)

  fastify.addHook('onResponse', (request, reply, done) => {
    // The route template (never the URL: bounded label values); unmatched requests share one label.
    requests.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode }, reply.elapsedTime / 1000)
    done()
  })

  const expected = config.METRICS_TOKEN === undefined ? undefined : digest(config.METRICS_TOKEN)
  const authorized = (header: string | undefined): boolean => expected === undefined || bearerMatches(header, expected)

  if (config.METRICS_PORT === undefined) {
    fastify.get('/metrics', { schema: { hide: true }, config: { public: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
      if (!authorized(request.headers.authorization)) {
        void reply.header('www-authenticate', 'Bearer realm="metrics"')
        throw new InvalidCredentialsError()
      }
      return await reply.type(registry.contentType).send(await registry.metrics())
    })
    return
  }
  // A listener of its own (METRICS_PORT): /metrics only, nothing of the API.
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?', 1)[0] !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    if (!authorized(req.headers.authorization)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"' }).end()
      return
    }
    registry.metrics().then((text) => { res.writeHead(200, { 'content-type': registry.contentType }).end(text) }, () => { res.writeHead(500).end() })
  })
  fastify.addHook('onListen', async () => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject).listen(config.METRICS_PORT, config.HOST, () => { resolve() })
    })
    fastify.log.info({ port: (server.address() as { port: number }).port }, 'metrics listening')
  })
  fastify.addHook('onClose', async () => { if (server.listening) await new Promise((resolve) => server.close(resolve)) })
}, { name: 'metrics' })
