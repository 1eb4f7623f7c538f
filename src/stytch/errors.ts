import { StytchError } from 'stytch'
import { UpstreamError, UpstreamUnavailableError } from '../errors.js'

/**
 * True when Stytch could not give an answer (network failure, timeout, unparseable body, 5xx or
 * 429): the caller must not conclude anything about the credentials from such a failure.
 */
export function isUpstreamOutage (err: unknown): boolean {
  if (err instanceof StytchError) return err.status_code >= 500 || err.status_code === 429
  return true
}

/**
 * Maps a failed Stytch call that the route cannot settle itself. The original error is never
 * attached: the SDK's RequestError carries the request body, which can hold tokens.
 */
export function toUpstreamError (err: unknown): Error {
  if (isUpstreamOutage(err)) return new UpstreamUnavailableError()
  return new UpstreamError()
}

/** The Stytch error type of a failed call, or undefined when it was not a Stytch API error. */
export const stytchErrorType = (err: unknown): string | undefined => (err instanceof StytchError ? err.error_type : undefined)
