import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import autoload from '@fastify/autoload'
import { LogController } from 'fastify'
import AjvCompiler from '@fastify/ajv-compiler'
import type { Server } from 'node:http'
import type { FastifyError, FastifyHttpOptions, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from './config.js'
import { serverTimeouts } from './timeouts.js'
import { ownErrorCode, RETRY_AFTER_SECONDS } from './errors.js'
import { accessLogLine, batchedLogStream, logSerializers } from './logging.js'
import type { Database } from './db/database.js'
import { StorageError } from './db/errors.js'
import type { ApiError } from './schemas/error.js'
import { MAX_PATH_PARAM_LENGTH } from './schemas/primitives.js'
import { createRouteIndex } from './http/route-index.js'
import { requestIdGenerator } from './http/request-id.js'
import { validationMessage } from './http/validation-message.js'

export interface AppOptions {
  config: Config
  /** An open database (tests share one per file); otherwise the db plugin opens one from config. */
  database?: Database
  /**
   * Without REDIS_URL, keep the revocation list in this file across restarts. The embedded default sets
   * it (DATA_DIR/revocations.json): its sessions survive a restart, so the revocations must too.
   */
  revocationsFile?: string
  /** True when server.ts started the embedded Stytch emulator for this process (no credentials set). */
  embeddedEmulator?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

const ajvCompilers = AjvCompiler()

/** One Ajv for bodies (no type coercion, unknown fields refused by each schema), one for everything else. */
const strictBodyValidator: typeof ajvCompilers = (externalSchemas, options) => {
  const coercing = ajvCompilers(externalSchemas, options)
  const strict = ajvCompilers(externalSchemas, { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } } as typeof options)
  return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route))
}

/** Options for `Fastify()`, shared by the server and the tests so validation and logging match. */
export function serverOptions (config: Config, logStream?: NodeJS.WritableStream): FastifyHttpOptions<Server> {
  return {
    logger: {
      level: config.LOG_LEVEL,
      serializers: logSerializers,
      // The process's stdout, one write per event-loop turn (src/logging.ts); tests pass their own.
      stream: logStream ?? batchedLogStream(1)
    },
    // One access-log line per request, written on response (src/logging.ts); no "incoming request".
    logController: new AccessLogController(),
    // Request ids are UUIDs, or a trusted proxy's X-Request-Id (src/http/request-id.ts): a client
    // that is not a trusted proxy cannot choose its id (it would forge log correlation).
    requestIdHeader: false,
    genReqId: requestIdGenerator(config.TRUST_PROXY),
    trustProxy: config.TRUST_PROXY.length > 0 ? config.TRUST_PROXY : false,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Fastify's default (10 s) is shorter than PGlite's initialisation on a busy machine.
    pluginTimeout: config.PLUGIN_TIMEOUT_MS,
    // Request, headers, idle and keep-alive timeouts (src/timeouts.ts): no client holds a socket forever.
    ...serverTimeouts(config),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAM_LENGTH },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Bodies are JSON, typed by the client: no coercion there (an array where an email is expected
    // is a 400, not an email sent). Query strings, path parameters and headers are text: coerced.
    schemaController: { compilersFactory: { buildValidator: strictBodyValidator } },
    // The router's own answers (bad percent-encoding, over-long parameter) and Node's (malformed
    // requests, headers too large) in the one error shape too; none of them echoes the URL.
    frameworkErrors: sendFrameworkError,
    // Every validation message names the failing field (request part + JSON pointer).
    schemaErrorFormatter: (errors, dataVar) => new Error(validationMessage(errors, dataVar)),
    clientErrorHandler
  }
}

/**
 * Fastify's request log lines, replaced: no "incoming request" line, and on response one access
 * line built from picked fields (src/logging.ts). A response that failed to be written is an error
 * line with the same fields and the error's code and message only.
 */
const LOGS_INFO = new Set(['info', 'debug', 'trace'])

class AccessLogController extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      request.log.error({ ...accessLogLine(request, reply), err: { type: error.name, code: (error as { code?: unknown }).code, message: error.message } }, 'request errored')
    } else if (LOGS_INFO.has(request.log.level)) {
      request.log.info(accessLogLine(request, reply), 'request completed')
    }
  }
}

/** The one error body (DESIGN §6). */
function apiError (statusCode: number, code: string, message: string, requestId: string): ApiError {
  return { statusCode, code, error: httpReason(statusCode), message, requestId }
}

const FRAMEWORK_ERRORS: Record<string, { code: string, message: string }> = {
  FST_ERR_BAD_URL: { code: 'bad_url', message: 'The URL path is not valid (malformed percent-encoding)' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'uri_too_long', message: `A path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters` }
}

/** Errors the router raises before any route (or the error handler) is involved. */
function sendFrameworkError (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const statusCode = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500
  const known = FRAMEWORK_ERRORS[err.code]
  request.log.info({ code: err.code, statusCode }, 'request rejected')
  const body = known === undefined
    ? apiError(statusCode, statusCode >= 500 ? 'internal_error' : 'bad_request', statusCode >= 500 ? 'Internal server error' : 'The request could not be routed', request.id)
    : apiError(statusCode, known.code, known.message, request.id)
  void reply.code(statusCode).header('x-request-id', request.id).type('application/json').send(body)
}

/** What Node's HTTP parser refused (before Fastify sees a request), as status, code and message. */
function clientErrorAnswer (errorCode: string): { statusCode: number, code: string, message: string } {
  if (errorCode === 'HPE_HEADER_OVERFLOW') return { statusCode: 431, code: 'headers_too_large', message: 'The request line and headers are too large' }
  if (errorCode === 'ERR_HTTP_REQUEST_TIMEOUT') return { statusCode: 408, code: 'request_timeout', message: 'The request took too long to arrive' }
  return { statusCode: 400, code: 'bad_request', message: 'Malformed HTTP request' }
}

/**
 * Node's `clientError` (a request its parser refused): answered in the API's shape instead of
 * Fastify's default, then the connection is closed, as Node and Fastify do. No request object exists
 * yet, so the request id is minted here and logged with the same value.
 */
function clientErrorHandler (this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const { statusCode, code, message } = clientErrorAnswer(err.code ?? '')
  const requestId = randomUUID()
  // Only the code: the error's rawPacket holds the request bytes (cookies, tokens).
  this.log.info({ reqId: requestId, code: err.code, statusCode }, 'connection rejected')
  // As Node does: answer only if no response of this connection has started (never corrupt one).
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy()
    return
  }
  const body = JSON.stringify(apiError(statusCode, code, message, requestId))
  socket.end(`HTTP/1.1 ${statusCode} ${httpReason(statusCode)}\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, () => { socket.destroy() })
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large'
}

export default async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  fastify.decorate('config', opts.config)
  // Every response carries its request id (the first hook, so rate-limited and refused requests too).
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })

  fastify.setErrorHandler((err: FastifyError, request, reply) => {
    const statusCode = err.validation !== undefined ? 400 : (err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500)
    // Storage errors (src/db/errors.ts) carry their own status and lower_snake_case code.
    const storageError = err instanceof StorageError ? err : undefined
    const ownCode = storageError?.code ?? ownErrorCode(err.code)
    if (statusCode === 503 && ownCode !== undefined) {
      // An expected outage answer (not ready, Stytch or the database unreachable): no stack, not an error.
      request.log.warn({ code: err.code, statusCode, ...(storageError?.cause instanceof Error ? { cause: storageError.cause.message } : {}) }, err.message)
    } else if (statusCode >= 500) {
      // Only the code and message: SDK errors can carry request bodies (tokens) in other properties.
      request.log.error({ err: { type: err.name, code: err.code, message: err.message, stack: err.stack } }, 'request failed')
    } else {
      request.log.info({ code: err.code, statusCode }, 'request rejected')
    }
    let code = ownCode ?? (CODE_BY_STATUS[statusCode] ?? (statusCode >= 500 ? 'internal_error' : 'bad_request'))
    if (err.validation !== undefined) code = 'validation_failed'
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) code = 'invalid_json'
    const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter))
    else if (statusCode === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS))
    void reply.code(statusCode).type('application/json').send(apiError(statusCode, code, statusCode === 500 ? 'Internal server error' : err.message, request.id))
  })

  // Every route, wherever registered, so that a known path asked with another method is a 405.
  const routes = createRouteIndex()
  fastify.addHook('onRoute', (route) => { routes.add(route.method, route.url) })

  // The message names the method only: the URL is the client's own input, and can carry tokens.
  fastify.setNotFoundHandler((request, reply) => {
    const allowed = routes.allowedMethods(request.url.split('?', 1)[0] as string)
    if (allowed.length > 0) {
      void reply.code(405).header('allow', allowed.join(', '))
        .send(apiError(405, 'method_not_allowed', `${request.method} is not allowed at this URL; allowed: ${allowed.join(', ')}`, request.id))
      return
    }
    void reply.code(404).send(apiError(404, 'route_not_found', `No ${request.method} route at this URL`, request.id))
  })

  await fastify.register(autoload, { dir: join(import.meta.dirname, '../plugins/external'), options: opts })
  await fastify.register(autoload, { dir: join(import.meta.dirname, '../plugins/app'), options: opts })
  await fastify.register(autoload, { dir: join(import.meta.dirname, '../routes'), options: opts, dirNameRoutePrefix: false })
}

/** The HTTP reason phrase (Node's table: 'Payload Too Large', 'Request Header Fields Too Large', ...). */
const httpReason = (status: number): string => STATUS_CODES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')
