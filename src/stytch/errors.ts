import { StytchError } from 'stytch'
import {
  BadRequestError, ConflictError, InvalidCredentialsError, InvalidIntermediateSessionError, NotAMemberError, InvalidMagicLinkError, MagicLinkPkceError, NotFoundError, PermissionDeniedError,
  SessionNotFoundError, SessionRevokedError, SlugTakenError, UpstreamBusyError, UpstreamError, UpstreamUnavailableError
} from '../errors.js'
import { BulkheadFullError } from './bulkhead.js'

/**
 * True when Stytch could not give an answer (network failure, timeout, unparseable body, 5xx or
 * 429): the caller must not conclude anything about the credentials from such a failure.
 */
export function isUpstreamOutage (err: unknown): boolean {
  if (err instanceof StytchError) return err.status_code >= 500 || err.status_code === 429
  return true
}

/** The Stytch error type of a failed call, or undefined when it was not a Stytch API error. */
export const stytchErrorType = (err: unknown): string | undefined => (err instanceof StytchError ? err.error_type : undefined)

/**
 * What a Stytch call was for: the same Stytch error means different things to the client
 * depending on it (a `session_not_found` is a revoked session on the slow path, but a member's
 * own session gone while they manage members).
 */
export type StytchCall =
  /**
   * sessions.authenticate with a client's credential (slow path, refresh). `proven`: the
   * credential is a JWT that verified locally just now (signature, expiry, revocation list), so
   * the session was live; unproven, it is a bare session token (or one beside an expired JWT).
   */
  | { kind: 'session', proven: boolean }
  /** sessions.authenticate that changes the session (extend, custom claims). */
  | { kind: 'session-update' }
  /** magicLinks.authenticate with a token from a link. */
  | { kind: 'magic-link' }
  /** Anything the API does on a member's behalf: Stytch's own authorization decisions become 403s. */
  | { kind: 'manage', action: string, resource: string }
  /**
   * Discovery calls with an intermediate session or a member session (list, create, exchange,
   * sessions.exchange): a spent token, an org the address cannot enter, a taken slug.
   */
  | { kind: 'discovery' }
  /** Reads the API makes itself (policy, session lists): anything but an outage is unexpected. */
  | { kind: 'read' }

const PKCE_ERRORS = new Set(['pkce_mismatch', 'pkce_expected_code_verifier', 'pkce_did_not_expect_code_verifier'])

function fromManagementError (type: string | undefined, status: number, action: string, resource: string): Error {
  switch (type) {
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
    case 'organization_not_found':
      return new NotFoundError('Organization')
    case 'organization_slug_already_used':
      return new SlugTakenError()
    case 'invalid_organization_slug':
      return new BadRequestError('The organization slug is not valid: 2-128 of A-Z a-z 0-9 - . _ ~, at least one alphanumeric')
    case 'invalid_organization_name':
      return new BadRequestError('The organization name is not valid')
    case 'invalid_email_allowed_domains':
      return new BadRequestError('An allowed email domain is not a valid domain, or is a common email provider (such as gmail.com)')
    case 'invalid_organization_settings':
      return new BadRequestError('The organization must keep at least one way for new members to join (email JIT provisioning, invites, SSO or OAuth JIT provisioning)')
    default:
      return status === 400 ? new BadRequestError('Stytch rejected the request') : new UpstreamError()
  }
}

function fromDiscoveryError (type: string | undefined, status: number): Error {
  switch (type) {
    case 'intermediate_session_not_found':
      return new InvalidIntermediateSessionError()
    case 'session_not_found':
      return new SessionRevokedError()
    case 'organization_not_found':
      return new NotFoundError('Organization')
    case 'member_not_found':
    case 'email_jit_provisioning_not_allowed':
      return new NotAMemberError()
    case 'organization_slug_already_used':
      return new ConflictError('An organization with this slug already exists')
    case 'invalid_organization_slug':
    case 'invalid_organization_name':
      return new BadRequestError('Invalid organization name or slug')
    default:
      return status === 400 ? new BadRequestError('Stytch rejected the request') : new UpstreamError()
  }
}

/**
 * The one translation of a failed Stytch call into the API's errors (the model is fastify-jwt's
 * single error mapping). An outage is always a 503, so a client never throws away a live session
 * because Stytch was unreachable. The original error is never attached: the SDK's errors can
 * carry the request body, which can hold tokens.
 */
export function fromStytchError (err: unknown, call: StytchCall): Error {
  if (err instanceof BulkheadFullError) return new UpstreamBusyError()
  if (isUpstreamOutage(err)) return new UpstreamUnavailableError()
  const type = stytchErrorType(err)
  switch (call.kind) {
    case 'session':
      // Stytch answers session_not_found alike for a token it never issued, an expired session and
      // a revoked one. Only a session whose JWT proved it live a moment ago was ended early
      // (revoked); of a bare token, all that is known is that no live session has it.
      if (type !== 'session_not_found') return new InvalidCredentialsError()
      return call.proven ? new SessionRevokedError() : new SessionNotFoundError()
    case 'session-update':
      return type === 'session_not_found' ? new SessionRevokedError() : new BadRequestError('Stytch refused the session update')
    case 'magic-link':
      return PKCE_ERRORS.has(type ?? '') ? new MagicLinkPkceError() : new InvalidMagicLinkError()
    case 'manage':
      return fromManagementError(type, (err as StytchError).status_code, call.action, call.resource)
    case 'discovery':
      return fromDiscoveryError(type, (err as StytchError).status_code)
    case 'read':
      return new UpstreamError()
  }
}

/**
 * Runs one Stytch call and translates its failure. `expected` lists Stytch error types that are an
 * answer rather than a failure for this call (e.g. `session_not_found` when revoking: the goal is
 * reached); for those, `fallback` is returned.
 */
export async function callStytch<T, F = never> (call: StytchCall, fn: () => Promise<T>, expected?: { types: readonly string[] | 'any-client-error', fallback: F }): Promise<T | F> {
  try {
    return await fn()
  } catch (err) {
    if (expected !== undefined && !isUpstreamOutage(err)) {
      if (expected.types === 'any-client-error' || expected.types.includes(stytchErrorType(err) ?? '')) return expected.fallback
    }
    throw fromStytchError(err, call)
  }
}
