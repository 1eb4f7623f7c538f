import createFastifyError from '@fastify/error'

const ownCodes = new Set<string>()

/** @fastify/error upper-cases codes; ours are registered so the error handler can tell them apart. */
function createError (code: string, message: string, statusCode: number) {
  ownCodes.add(code.toUpperCase())
  return createFastifyError(code, message, statusCode)
}

/** The machine code (lower_snake_case) of one of our errors, or undefined for any other error. */
export const ownErrorCode = (code: string | undefined): string | undefined =>
  code !== undefined && ownCodes.has(code) ? code.toLowerCase() : undefined

/**
 * The API's typed errors. The `code` of each is the machine code clients switch on; the error
 * handler renders them in the one error shape (see src/schemas/error.ts).
 */
export const MissingCredentialsError = createError('missing_credentials', 'Authentication required: send a session cookie or an Authorization: Bearer token', 401)
export const InvalidCredentialsError = createError('invalid_credentials', 'The session credentials are not valid', 401)
export const AmbiguousCredentialsError = createError('ambiguous_credentials', 'The request carries credentials of more than one session (or the same one twice); send exactly one', 401)
export const ReauthenticationRequiredError = createError('reauthentication_required', 'This action needs a login in the last %s minutes; log in again', 401)
export const SessionExpiredError = createError('session_expired', 'The session has expired; log in again', 401)
export const SessionRevokedError = createError('session_revoked', 'The session has been revoked; log in again', 401)
export const SessionNotFoundError = createError('session_not_found', 'No live session has this session token: it is unknown to Stytch, or its session has ended; log in again', 401)
export const PermissionDeniedError = createError('permission_denied', 'Not allowed to %s %s', 403)
export const OriginNotAllowedError = createError('origin_not_allowed', 'Cookie-authenticated requests that change state must come from an allowed Origin', 403)
export const NotFoundError = createError('not_found', '%s not found', 404)
export const ConflictError = createError('conflict', '%s', 409)
export const SlugTakenError = createError('slug_taken', 'Another organization already uses this slug', 409)
export const NotInvitedError = createError('not_invited', 'This member is not a pending invitation (already joined, or not invited)', 409)
export const LastAdminError = createError('last_admin', 'This is the organization\'s last active stytch_admin: make another member admin first', 409)
export const BadRequestError = createError('bad_request', '%s', 400)
export const UpstreamUnavailableError = createError('identity_provider_unavailable', 'The identity provider is unreachable; retry shortly', 503)
export const UpstreamBusyError = createError('identity_provider_busy', 'Too many requests are waiting for the identity provider; retry shortly', 503)
export const UpstreamError = createError('identity_provider_error', 'The identity provider returned an unexpected error', 502)

/** Seconds a client should wait before retrying after an identity-provider outage. */
export const RETRY_AFTER_SECONDS = 5
export const RateLimitedError = createError('rate_limited', 'Too many requests; retry after %s seconds', 429)
export const InvalidMagicLinkError = createError('invalid_magic_link', 'The magic link is invalid, already used or expired; request a new one', 401)
export const MagicLinkPkceError = createError('pkce_failed', 'This magic link was requested by another browser or app: its PKCE code verifier is missing, wrong or not expected', 400)
export const NotReadyError = createError('not_ready', 'Not ready: %s', 503)
export const PreconditionFailedError = createError('precondition_failed', 'The resource has changed since you read it (ETag mismatch); read it again', 412)
export const PreconditionRequiredError = createError('precondition_required', 'Send If-Match with the ETag of the version you read', 428)
export const InvalidIfMatchError = createError('invalid_if_match', 'If-Match must be * or a comma-separated list of entity tags such as "v3" (quotes included)', 400)
export const InvalidIfNoneMatchError = createError('invalid_if_none_match', 'If-None-Match must be * or a comma-separated list of entity tags such as "v3" (quotes included)', 400)
export const CustomClaimsTooLargeError = createError('custom_claims_too_large', 'Custom claims may not exceed %s bytes', 400)
export const InvalidIntermediateSessionError = createError('invalid_intermediate_session', 'The discovery login is invalid, already used or expired (it lasts 10 minutes); request a new link', 401)
export const NotAMemberError = createError('not_a_member', 'This email address is not a member of that organization and may not join it', 403)
export const PrimaryAuthRequiredError = createError('primary_auth_required', 'This organization requires logging in with one of: %s', 403)
export const MfaRequiredError = createError('mfa_required', 'This organization requires multi-factor authentication, which this API does not support', 403)
export const OrganizationCreationDisabledError = createError('organization_creation_disabled', 'Creating organizations is not enabled on this API (DISCOVERY_CREATE_ORGANIZATIONS)', 403)
