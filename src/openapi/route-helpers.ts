import { ErrorRef } from '../schemas/error.js'

/** Response entries for the given error statuses, all in the one ApiError shape. */
export const errorResponses = (...statuses: number[]): Record<number, typeof ErrorRef> =>
  Object.fromEntries(statuses.map((status) => [status, ErrorRef]))

/** OpenAPI security of authenticated routes: the session cookie, or a bearer JWT / session token. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ sessionCookie: [] }, { bearerAuth: [] }]
