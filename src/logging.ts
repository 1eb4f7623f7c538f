import { writeSync } from 'node:fs'
/**
 * Credentials never reach the logs, by construction rather than by redaction: every object the app
 * logs is built from fields picked one by one (the serializers below, the access-log line, the
 * error handler's fields), none of which is a header, a cookie or a body. Query parameters that
 * carry credentials (the magic-link `token`) are censored in the logged URL. No pino `redact`
 * paths: their per-line cost (a wildcard walk of every logged object) bought nothing once nothing
 * unpicked is logged.
 */

/** Query parameters that carry a credential, by decoded name (compared case-insensitively). */
const SECRET_QUERY_NAMES = new Set([
  'token', 'access_token', 'refresh_token', 'id_token', 'jwt', 'authorization', 'code', 'code_verifier',
  'session_token', 'session_jwt', 'magic_links_token', 'pkce_code_verifier', 'secret', 'client_secret', 'password'
])
/** Any other name that ends like one (`stytch_token`, `csrf-token`, `api_secret`). */
const SECRET_QUERY_SUFFIX = /[_-](token|jwt|secret|password)$/

/** A compact JWS or JWE (a JWT) anywhere in a value: `eyJ…` header, then two to four `.`-separated parts. */
const COMPACT_JOSE = /eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2,4}/

const REDACTED = '[redacted]'

const isSecretName = (name: string): boolean => {
  const lower = name.toLowerCase()
  return SECRET_QUERY_NAMES.has(lower) || SECRET_QUERY_SUFFIX.test(lower)
}

/**
 * The URL with credential-bearing query values replaced. Names and values are compared decoded, as
 * the query parser reads them (`?%74oken=` is `token`, `+` is a space): a credential is redacted
 * however it was encoded. Every other parameter is kept as sent.
 */
export function redactUrl (url: string): string {
  const at = url.indexOf('?')
  if (at === -1) return url
  const parts = url.slice(at + 1).split('&').map((part) => {
    // One parameter through URLSearchParams: the WHATWG decoding (lenient with bad escapes).
    const [name, value] = new URLSearchParams(part).entries().next().value ?? ['', '']
    const eq = part.indexOf('=')
    if (COMPACT_JOSE.test(name)) return REDACTED
    if (eq === -1 || (!isSecretName(name) && !COMPACT_JOSE.test(value))) return part
    return `${part.slice(0, eq)}=${REDACTED}`
  })
  return `${url.slice(0, at)}?${parts.join('&')}`
}

/** What the request serializer reads of a Fastify request (structurally: src/ stays framework-free). */
interface LoggedRequest { method: string, url: string, host: string, ip: string, socket?: { remotePort?: number } | null }

/** What the error serializer keeps of an error: never its other properties (SDK errors can carry request bodies). */
interface LoggedError { name?: unknown, message?: unknown, code?: unknown, statusCode?: unknown, stack?: unknown }

/** The request part of the access line: already picked and redacted, so the `req` serializer keeps it as it is. */
class AccessRequestFields {
  constructor (readonly method: string, readonly url: string, readonly route: string | undefined) {}
}

export const logSerializers = {
  req (request: LoggedRequest | AccessRequestFields): Record<string, unknown> {
    if (request instanceof AccessRequestFields) return request as unknown as Record<string, unknown>
    return {
      method: request.method,
      url: redactUrl(request.url),
      host: request.host,
      remoteAddress: request.ip,
      remotePort: request.socket?.remotePort
    }
  },
  res (reply: { statusCode: number }) {
    return { statusCode: reply.statusCode }
  },
  err (err: LoggedError) {
    const picked = typeof err === 'object' && err !== null ? err : { message: err }
    return { type: String(picked.name ?? 'Error'), message: String(picked.message ?? ''), stack: String(picked.stack ?? ''), code: picked.code, statusCode: picked.statusCode }
  }
}

/** Whether a pino level logs `info` lines. */
export const logsInfo = (level: string): boolean => level === 'info' || level === 'debug' || level === 'trace'

/** What the access-log line reads of a request and its reply (structurally, as above). */
interface AccessLogRequest { method: string, url: string, routeOptions: { url?: string | undefined }, member: { member_id: string } | null }
interface AccessLogReply { statusCode: number, elapsedTime: number }

/** The access-log line's fields: the request id comes from the request's logger (`reqId`). */
export interface AccessLogLine {
  req: AccessRequestFields
  res: { statusCode: number }
  /** Milliseconds from the request's arrival to the response's end. */
  responseTime: number
  /** The authenticated member, when the request was authenticated. */
  memberId: string | undefined
}

/**
 * The one line logged per request, on response (instead of Fastify's "incoming request" and
 * "request completed"): method, route, redacted URL, status, response time, member id. Built from
 * picked fields only, so it needs no redaction.
 */
export function accessLogLine (request: AccessLogRequest, reply: AccessLogReply): AccessLogLine {
  return {
    req: new AccessRequestFields(request.method, redactUrl(request.url), request.routeOptions.url),
    res: { statusCode: reply.statusCode },
    responseTime: Math.round(reply.elapsedTime * 100) / 100,
    memberId: request.member?.member_id
  }
}

/**
 * The log destination of the server process: lines are collected during one turn of the event loop
 * and written with one synchronous `write(2)` when it ends (and at exit, so nothing is lost on a
 * clean or fatal exit). Under load a write per request becomes a write per batch of requests; the
 * order of lines is kept, and a quiet server still writes each line at once (within the turn).
 */
export function batchedLogStream (fd = 1): { write (line: string): boolean, flush (): void } {
  let pending: string[] = []
  /** Bytes a full non-blocking pipe did not take yet: written first, before any newer line. */
  let carry: Buffer | undefined
  let scheduled = false
  function flush (): void {
    scheduled = false
    if (pending.length === 0 && carry === undefined) return
    const lines = Buffer.from(pending.length === 1 ? pending[0] as string : pending.join(''))
    const data = carry === undefined ? lines : Buffer.concat([carry, lines])
    pending = []
    carry = undefined
    let offset = 0
    while (offset < data.length) {
      try {
        offset += writeSync(fd, data, offset)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
        carry = data.subarray(offset)
        schedule()
        return
      }
    }
  }
  function schedule (): void {
    if (scheduled) return
    scheduled = true
    setImmediate(flush)
  }
  process.on('exit', flush)
  return {
    write (line: string): boolean {
      pending.push(line)
      schedule()
      return true
    },
    flush
  }
}
