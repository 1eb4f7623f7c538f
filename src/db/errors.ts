/**
 * Errors the storage layer throws on purpose. Plain classes, so the storage layer does not depend
 * on Fastify; each carries the machine `code` clients switch on and the HTTP `statusCode` that
 * answers it, so the app's error handler renders them without per-route translation.
 */
export abstract class StorageError extends Error {
  abstract readonly code: string
  abstract readonly statusCode: number
}

/** A list cursor that this repository did not produce (tampered, truncated or from elsewhere). */
export class InvalidCursorError extends StorageError {
  readonly code = 'invalid_cursor'
  readonly statusCode = 400
  constructor () {
    super('cursor is not one this API issued')
    this.name = 'InvalidCursorError'
  }
}

/** An Idempotency-Key sent again with a different request than the one it first created. */
export class IdempotencyKeyReusedError extends StorageError {
  readonly code = 'idempotency_key_reused'
  readonly statusCode = 422
  constructor () {
    super('This Idempotency-Key was used with a different request body')
    this.name = 'IdempotencyKeyReusedError'
  }
}

/**
 * The database cannot serve the request right now (connection refused, lost or timed out, server
 * shutting down or overloaded). Retrying later can succeed; `cause` is the driver's error.
 */
export class DatabaseUnavailableError extends StorageError {
  readonly code = 'database_unavailable'
  readonly statusCode = 503
  constructor (cause?: unknown) {
    super('The database is unavailable; retry shortly', { cause })
    this.name = 'DatabaseUnavailableError'
  }
}

/**
 * SQLSTATE classes that say "the server cannot serve you now", not "your statement is wrong":
 * 08 connection exception, 53 insufficient resources (too many connections, disk full, out of
 * memory), 57 operator intervention (admin/crash shutdown 57P01/57P02, cannot connect now 57P03,
 * statement timeout or cancel 57014, ...), 58 system error (I/O).
 */
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53', '57', '58'])
/** 25P03: the server ended an idle transaction's connection; 55P03: a lock wait timed out. */
const UNAVAILABLE_SQLSTATES = new Set(['25P03', '55P03'])
/** Socket-level failures reaching the server. */
const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL'
])
/** Driver errors without a code: node-postgres' lost or timed-out connections, a closed pool or PGlite. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, // unexpectedly | due to connection timeout
  /timeout exceeded when trying to connect/,
  /is not queryable/, // "Client has encountered a connection error and is not queryable", "Client was closed ..."
  /^Query read timeout/,
  /Cannot use a pool after calling end/,
  /^PGlite is clos(ed|ing)/
]

/** True when err says the database is unreachable or unable to serve now (see the lists above). */
export function isAvailabilityError (err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true
  if (!(err instanceof Error)) return false
  if (err instanceof AggregateError && err.errors.some(isAvailabilityError)) return true
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code) && (UNAVAILABLE_SQLSTATE_CLASSES.has(code.slice(0, 2)) || UNAVAILABLE_SQLSTATES.has(code))) return true
    if (UNAVAILABLE_SYSTEM_CODES.has(code)) return true
  }
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(err.message))
}

/** What a failed database call throws on: DatabaseUnavailableError for availability failures, else err itself. */
export function toStorageError (err: unknown): unknown {
  return isAvailabilityError(err) && !(err instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(err) : err
}
