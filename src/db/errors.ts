/**
 * Storage errors the routes translate into HTTP answers. Plain classes, so the storage layer
 * does not depend on Fastify; `code` is stable for matching.
 */

/** A list cursor that this repository did not produce (tampered, truncated or from elsewhere). */
export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor'
  constructor () {
    super('The pagination cursor is malformed')
    this.name = 'InvalidCursorError'
  }
}

/** An Idempotency-Key sent again with a different request than the one it first created. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency_key_reused'
  constructor () {
    super('The Idempotency-Key was already used with a different request')
    this.name = 'IdempotencyKeyReusedError'
  }
}
