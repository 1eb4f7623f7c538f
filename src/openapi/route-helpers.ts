import { ErrorRef } from '../schemas/error.js'

/** 429 and 503 answers tell the client when to try again. */
const RETRY_AFTER = { 'retry-after': { type: 'integer', minimum: 0, description: 'seconds to wait before retrying' } }

/** Response entries for the given error statuses, all in the one ApiError shape (429/503 with Retry-After). */
export const errorResponses = (...statuses: number[]): Record<number, typeof ErrorRef> =>
  Object.fromEntries(statuses.map((status) => [status, status === 429 || status === 503 ? { ...ErrorRef, headers: RETRY_AFTER } : ErrorRef]))

/** OpenAPI security of authenticated routes: the session cookie, or a bearer JWT / session token. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ sessionCookie: [] }, { bearerAuth: [] }]
