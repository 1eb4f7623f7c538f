import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Span } from '@opentelemetry/api'
import fp from 'fastify-plugin'
import { trustedPeer } from '../../src/http/request-id.js'
import { redactUrl } from '../../src/logging.js'
import type { SpanWrapper } from './metrics.js'

/** Requests that are not traced: probes and scrapes (noise every few seconds, nothing to learn). */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics'])

/** W3C trace-context and baggage headers: honoured from trusted proxies only (TRUST_PROXY). */
const PROPAGATION_HEADERS = ['traceparent', 'tracestate', 'baggage'] as const

/** A bounded, non-secret label for a failed call: Stytch's error_type or the error's code, never a message. */
function errorType (err: unknown): string {
  const { error_type: type, code } = (err ?? {}) as { error_type?: unknown, code?: unknown }
  return typeof type === 'string' ? type : typeof code === 'string' ? code.toLowerCase() : 'error'
}

/**
 * OpenTelemetry tracing (issue 13), off by default (OTEL_ENABLED, or OTEL_EXPORTER_OTLP_ENDPOINT
 * set). Off, this plugin returns before importing anything of OpenTelemetry: no module is loaded,
 * no hook is added, and the I/O wrappers in `fastify.obs` call straight through.
 *
 * On: a NodeTracerProvider (AsyncLocalStorage context, W3C trace-context propagation, parent-based
 * ratio sampling at OTEL_TRACES_SAMPLE_RATIO) exporting over OTLP/HTTP to
 * OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces in batches; @fastify/otel makes a span per request (and
 * per hook and handler), and `fastify.obs` opens a child span around every Stytch call
 * (`stytch <endpoint>`) and every database statement or transaction (`db <OPERATION>`).
 *
 * Nothing secret becomes an attribute: the request span's `url.path` is the redacted URL (a
 * magic-link token in a query is `[redacted]`), Stytch spans carry the endpoint name from our code,
 * DB spans the SQL verb, failures the error's type or code only (no messages, no exceptions
 * recorded). No header is recorded. An incoming `traceparent` is honoured only from a trusted proxy
 * (as `X-Request-Id` is), so a client cannot join our traces or force sampling. The provider is
 * registered globally for this process and unregistered, after a final flush, on close.
 */
export default fp(async function tracing (fastify: FastifyInstance) {
  const { config } = fastify
  if (!config.OTEL_ENABLED && config.OTEL_EXPORTER_OTLP_ENDPOINT === undefined) return

  const [api, { NodeTracerProvider }, base, { OTLPTraceExporter }, { resourceFromAttributes }, fastifyOtel] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@fastify/otel')
  ])
  const { SpanKind, SpanStatusCode } = api

  const exporter = new OTLPTraceExporter(config.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
    ? {} // the exporter's own default (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else localhost:4318)
    : { url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` })
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME }),
    sampler: new base.ParentBasedSampler({ root: new base.TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLE_RATIO) }),
    spanProcessors: [new base.BatchSpanProcessor(exporter)]
  })
  provider.register()
  const tracer = provider.getTracer('b2b-session-api')

  const wrap: SpanWrapper = (name, attributes, fn) => tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, (span) =>
    fn().then((value) => {
      span.end()
      return value
    }, (err: unknown) => {
      const type = errorType(err)
      span.setAttribute('error.type', type)
      span.setStatus({ code: SpanStatusCode.ERROR, message: type })
      span.end()
      throw err
    }))
  fastify.obs.setSpanWrapper(wrap)

  // Before @fastify/otel's own onRequest hook (hooks run in the order they are added).
  const trusted = trustedPeer(config.TRUST_PROXY)
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!trusted(request.raw.socket?.remoteAddress)) {
      for (const header of PROPAGATION_HEADERS) delete request.headers[header]
    }
    done()
  })

  const { FastifyOtelInstrumentation } = fastifyOtel.default
  const instrumentation = new FastifyOtelInstrumentation({
    recordExceptions: false,
    ignorePaths: ({ url }) => UNTRACED_PATHS.has(url.split('?', 1)[0] as string),
    requestHook (span: Span, request: FastifyRequest) {
      span.setAttribute('url.path', redactUrl(request.url))
      span.setAttribute('http.request.id', request.id)
    }
  })
  instrumentation.setTracerProvider(provider)
  await fastify.register(instrumentation.plugin())

  fastify.addHook('onClose', async () => {
    instrumentation.disable()
    // Flushes the spans still batched, then lets a later app in this process register its own.
    await provider.shutdown().catch((err: unknown) => { fastify.log.warn({ code: errorType(err) }, 'tracing: final export failed') })
    api.trace.disable()
    api.context.disable()
    api.propagation.disable()
  })
  fastify.log.info({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT ?? '(exporter default)', sampleRatio: config.OTEL_TRACES_SAMPLE_RATIO }, 'OpenTelemetry tracing on')
}, { name: 'tracing', dependencies: ['metrics'] })
