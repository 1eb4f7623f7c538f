import { join } from 'node:path'
import autoload from '@fastify/autoload'
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import { ownErrorCode, RETRY_AFTER_SECONDS } from './errors.js'
import { logSerializers, REDACTED_PATHS } from './logging.js'
import type { StytchConnection } from './stytch/client.js'
import type { Database } from './db/database.js'
import type { ApiError } from './schemas/error.js'

export interface AppOptions {
  config: Config
  /** A ready SDK client (tests build it themselves); otherwise the stytch plugin builds one from config. */
  stytch?: StytchConnection
  /** An open database (tests share one per file); otherwise the db plugin opens one from config. */
  database?: Database
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

/** Options for `Fastify()`, shared by the server and the tests so validation and logging match. */
export function serverOptions (config: Config, logStream?: NodeJS.WritableStream): FastifyServerOptions {
  return {
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: logSerializers,
      ...(logStream === undefined ? {} : { stream: logStream })
    },
    // Request ids are ours: a client-chosen id would let it forge log correlation.
    requestIdHeader: false,
    trustProxy: config.TRUST_PROXY.length > 0 ? config.TRUST_PROXY : false,
    bodyLimit: config.BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } }
  }
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited'
}

export default async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  fastify.decorate('config', opts.config)

  fastify.setErrorHandler((err: FastifyError, request, reply) => {
    const statusCode = err.validation !== undefined ? 400 : (err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500)
    if (statusCode === 503 && ownErrorCode(err.code) !== undefined) {
      // An expected outage answer (not ready, Stytch unreachable): no stack, not an error.
      request.log.warn({ code: err.code, statusCode }, err.message)
    } else if (statusCode >= 500) {
      // Only the code and message: SDK errors can carry request bodies (tokens) in other properties.
      request.log.error({ err: { type: err.name, code: err.code, message: err.message, stack: err.stack } }, 'request failed')
    } else {
      request.log.info({ code: err.code, statusCode }, 'request rejected')
    }
    let code = ownErrorCode(err.code) ?? (CODE_BY_STATUS[statusCode] ?? (statusCode >= 500 ? 'internal_error' : 'bad_request'))
    if (err.validation !== undefined) code = 'validation_failed'
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) code = 'invalid_json'
    if (statusCode === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS))
    const body: ApiError = {
      statusCode,
      code,
      error: httpReason(statusCode),
      message: statusCode === 500 ? 'Internal server error' : err.message,
      requestId: request.id
    }
    void reply.code(statusCode).type('application/json').send(body)
  })

  fastify.setNotFoundHandler((request, reply) => {
    const body: ApiError = { statusCode: 404, code: 'route_not_found', error: 'Not Found', message: `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found`, requestId: request.id }
    void reply.code(404).send(body)
  })

  await fastify.register(autoload, { dir: join(import.meta.dirname, '../plugins/external'), options: opts })
  await fastify.register(autoload, { dir: join(import.meta.dirname, '../plugins/app'), options: opts })
  await fastify.register(autoload, { dir: join(import.meta.dirname, '../routes'), options: opts, dirNameRoutePrefix: false })
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  409: 'Conflict', 412: 'Precondition Failed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 428: 'Precondition Required',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable'
}
const httpReason = (status: number): string => REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')
