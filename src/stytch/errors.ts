import { StytchError } from 'stytch'
import { BadRequestError, ConflictError, NotFoundError, PermissionDeniedError, SessionRevokedError, UpstreamError, UpstreamUnavailableError } from '../errors.js'

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

/**
 * Maps a failed Stytch management call (members, invites) made on behalf of a member to the API's
 * errors. Stytch's own authorization decisions (session headers) become 403s.
 */
export function fromStytchManagementError (err: unknown, action: string, resource: string): Error {
  if (!(err instanceof StytchError) || isUpstreamOutage(err)) return toUpstreamError(err)
  switch (err.error_type) {
    case 'session_authorization_error':
    case 'session_authorization_tenancy_error':
    case 'cannot_update_trusted_metadata':
    case 'unauthorized_action':
      return new PermissionDeniedError(action, resource)
    case 'session_not_found':
      // The member session carried with the call is gone at Stytch (revoked elsewhere, expired).
      return new SessionRevokedError()
    case 'member_not_found':
      return new NotFoundError('Member')
    case 'duplicate_member_email':
      return new ConflictError('A member with this email address already exists in the organization')
    case 'invalid_rbac_role_id':
    case 'cannot_assign_default_rbac_role_id':
      return new BadRequestError('Unknown role, or a role that cannot be assigned explicitly')
    case 'invalid_email':
    case 'invalid_email_for_invites':
      return new BadRequestError('This email address cannot be invited to the organization')
    default:
      return err.status_code === 400 ? new BadRequestError('Stytch rejected the request') : new UpstreamError()
  }
}
