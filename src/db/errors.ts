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
