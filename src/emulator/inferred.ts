/*
 * EVERY choice in this file is INFERRED, not confirmed against the real Stytch API.
 *
 * The reference (../shared/reference/stytch-b2b-api.md) tags these facts "[inferred]" (or leaves them
 * open), so the emulator has to pick something. They all live here, in one place, so that when real
 * Stytch behaviour becomes known each one can be corrected without hunting through route code.
 * Error types/statuses/messages that the reference marks [docs] are also kept here, next to their
 * inferred siblings, but are labelled as such.
 */

/** One Stytch error: HTTP status (== body status_code), error_type and a human message. */
export interface ErrorSpec { status: number, type: string, message: string }

function spec (status: number, type: string, message: string): ErrorSpec {
  return { status, type, message }
}

export const errors = {
  // [docs] Stytch OpenAPI examples
  unauthorizedCredentials: spec(401, 'unauthorized_credentials', 'Unauthorized credentials.'),
  // [inferred] the reference allows `bad_request` or `invalid_argument`; we use `bad_request` for bodies
  // that are not JSON at all and `invalid_argument` for JSON whose fields have the wrong type/shape.
  badRequest: spec(400, 'bad_request', 'The request body could not be parsed as JSON.'),
  invalidArgument: spec(400, 'invalid_argument', 'The request is invalid.'),
  // [inferred] name and status for a path that is not part of the API
  routeNotFound: spec(404, 'route_not_found', 'The requested route does not exist.'),
  // [docs] server fault
  internalServerError: spec(500, 'internal_server_error', 'Oops, something seems to have gone wrong. Please try again.'),

  // Sessions
  // [docs] consumer page; same type assumed for B2B
  sessionNotFound: spec(404, 'session_not_found', 'Session could not be found.'),
  // [inferred] the reference suggests 401 unauthorized_credentials for a JWT with a bad signature/claims
  invalidSessionJwt: spec(401, 'unauthorized_credentials', 'The session JWT is invalid.'),
  noSessionArguments: spec(400, 'no_session_arguments', 'Either session_token or session_jwt must be provided.'),
  tooManySessionArguments: spec(400, 'too_many_session_arguments', 'Only one of session_token or session_jwt may be provided.'),
  noSessionRevokeArguments: spec(400, 'no_session_revoke_arguments',
    'One of member_session_id, session_token, session_jwt or member_id must be provided.'),
  tooManySessionRevokeArguments: spec(400, 'too_many_session_revoke_arguments',
    'Only one of member_session_id, session_token, session_jwt or member_id may be provided.'),
  invalidSessionDuration: spec(400, 'invalid_session_duration_minutes',
    'session_duration_minutes must be between 5 and 527040.'),
  reservedClaims: spec(400, 'reserved_claims_in_custom_claims',
    'session_custom_claims may not contain the reserved claims iss, sub, aud, exp, nbf, iat or jti.'),
  stytchClaims: spec(400, 'stytch_claims_in_custom_claims',
    'session_custom_claims may not contain claims under https://stytch.com/.'),
  customClaimsTooLarge: spec(400, 'custom_claims_too_large', 'session_custom_claims may not exceed 4 KB.'),
  // [docs] https://stytch.com/docs/b2b/api/errors/403 (message text from the same page)
  authorizationTenancy: spec(403, 'session_authorization_tenancy_error',
    "OrganizationID in AuthorizationCheck request does not match session's Organization ID"),
  authorizationDenied: spec(403, 'session_authorization_error',
    'The Member is not authorized to perform the requested action on that resource.'),
  // [inferred] session-header ("act as member") failures on management endpoints reuse the 403s above;
  // trusted metadata with a session header: type exists, listed under 401 on the consumer error page.
  cannotUpdateTrustedMetadata: spec(401, 'cannot_update_trusted_metadata',
    'trusted_metadata may not be updated when a session header is passed.'),
  // [inferred name] members may never change their own email address
  memberCannotUpdateOwnEmail: spec(400, 'member_cannot_update_their_email_address',
    'A member cannot update their own email address.'),
  // [inferred] exchange into an org where no member with the session's email exists
  exchangeMemberNotFound: spec(404, 'member_not_found',
    'No member with this email address exists in the target organization.'),

  // Discovery and intermediate sessions (reference §12)
  // [inferred] an intermediate_session_token that is unknown, spent or expired
  intermediateSessionNotFound: spec(404, 'intermediate_session_not_found', 'Intermediate session could not be found.'),
  // [SDK doc comment] discovery.organizations.list "will return an error if multiple are present"; names ours
  noDiscoveryArguments: spec(400, 'no_session_arguments',
    'One of intermediate_session_token, session_token or session_jwt must be provided.'),
  tooManyDiscoveryArguments: spec(400, 'too_many_session_arguments',
    'Only one of intermediate_session_token, session_token or session_jwt may be provided.'),
  // [inferred] an intermediate-session exchange into an org the email is not a member of and cannot JIT-join
  noAssociationWithOrganization: spec(403, 'email_jit_provisioning_not_allowed',
    'This email address is not a member of the organization and the organization does not allow it to join.'),

  // Magic links
  magicLinkNotFound: spec(404, 'magic_link_not_found', 'The magic link could not be found.'),
  unableToAuthMagicLink: spec(401, 'unable_to_auth_magic_link',
    'The magic link could not be authenticated because it was either already used or expired. Send another magic link to this user.'),
  // [inferred] PKCE errors (reference §10, §12: names from the docs' error list; statuses, messages and
  // when each applies are ours — see `pkce` below).
  pkceMismatch: spec(400, 'pkce_mismatch', 'The PKCE code verifier does not match the code challenge.'),
  pkceUnexpectedVerifier: spec(400, 'pkce_did_not_expect_code_verifier',
    'A PKCE code verifier was provided, but the magic link was not sent with a code challenge.'),
  pkceExpectedVerifier: spec(400, 'pkce_expected_code_verifier',
    'The magic link was sent with a PKCE code challenge, so a code verifier is required.'),
  emailJitNotAllowed: spec(400, 'email_jit_provisioning_not_allowed',
    'This organization does not allow new members to sign up with this email address.'),
  // [inferred] one type for both NOT_ALLOWED and a RESTRICTED domain mismatch
  invitesNotAllowed: spec(400, 'invalid_email_for_invites', 'This organization does not allow invites.'),
  invalidEmailForInvites: spec(400, 'invalid_email_for_invites',
    "The email address's domain is not allowed for invites in this organization."),
  // [inferred] inviting an already active member
  memberAlreadyActive: spec(400, 'duplicate_member_email', 'The member is already active in this organization.'),
  invalidExpirationMinutes: spec(400, 'invalid_expiration_minutes', 'Expiration minutes must be between 5 and 10080.'),
  invalidRedirectUrl: spec(400, 'invalid_redirect_url', 'The redirect URL is not a valid absolute http(s) URL.'),

  // Organizations and members
  invalidEmail: spec(400, 'invalid_email', 'Email format is invalid.'),
  organizationNotFound: spec(404, 'organization_not_found', 'Organization could not be found.'),
  memberNotFound: spec(404, 'member_not_found', 'Member could not be found.'),
  duplicateMemberEmail: spec(400, 'duplicate_member_email', 'A member with this email address already exists in this organization.'),
  duplicateExternalId: spec(400, 'duplicate_member_external_id', 'A member with this external_id already exists in this organization.'),
  duplicateOrganizationExternalId: spec(400, 'organization_external_id_already_used',
    'This organization_external_id is already in use.'),
  slugAlreadyUsed: spec(400, 'organization_slug_already_used', 'This organization slug is already in use.'),
  invalidSlug: spec(400, 'invalid_organization_slug',
    'organization_slug must be 2-128 characters of A-Z, a-z, 0-9, -, ., _ and ~.'),
  invalidOrganizationName: spec(400, 'invalid_organization_name', 'organization_name must be 1-128 characters.'),
  noAuthSettingAllowed: spec(400, 'invalid_organization_settings',
    'An organization must keep at least one of email_jit_provisioning, email_invites, sso_jit_provisioning or oauth_tenant_jit_provisioning allowed.'),
  // [inferred] type and messages: [SDK doc comment] says common domains are refused, not how
  invalidAllowedDomain: spec(400, 'invalid_email_allowed_domains', 'email_allowed_domains contains an invalid domain.'),
  commonAllowedDomain: spec(400, 'invalid_email_allowed_domains',
    'email_allowed_domains may not contain common email domains such as gmail.com.'),
  metadataTooLarge: spec(400, 'metadata_too_large', 'Metadata may not exceed 4 KB.'),
  metadataTooManyKeys: spec(400, 'metadata_too_many_keys', 'Metadata may not have more than 20 top-level keys.'),
  cannotAssignDefaultRole: spec(400, 'cannot_assign_default_rbac_role_id',
    'The stytch_member role is assigned to every member and cannot be assigned explicitly.'),
  invalidRoleId: spec(400, 'invalid_rbac_role_id', 'One or more role_ids do not exist in the RBAC policy.'),
  noDeletedMemberToReactivate: spec(404, 'no_deleted_member_found_for_reactivation', 'No deleted member was found to reactivate.'),
  reactivateUnverifiedEmail: spec(400, 'member_email_not_verified',
    'Only members with a verified email address can be reactivated.'),
  projectNotFound: spec(404, 'project_not_found', 'Project could not be found.')
} satisfies Record<string, ErrorSpec>

/** [inferred] error_url format from the reference's [docs] example. */
export function errorUrl (status: number, type: string): string {
  return `https://stytch.com/docs/api-reference/b2b/api/errors/${status}#${type}`
}

export const defaults = {
  // [SDK types] magic-link authenticate without a duration creates a 60-minute session
  sessionDurationMinutes: 60,
  sessionDurationMin: 5,
  sessionDurationMax: 527040,
  // [SDK types] link expirations
  linkExpirationMin: 5,
  linkExpirationMax: 10080,
  // [docs] 4 KB caps; [inferred] "4 KB" = 4096 bytes of the JSON serialization
  customClaimsMaxBytes: 4096,
  metadataMaxBytes: 4096,
  metadataMaxKeys: 20,
  // [SDK types] search pagination
  searchLimitDefault: 100,
  searchLimitMax: 1000,
  // [inferred] link query parameter from stytch-browser's deep-link parser
  linkTokenType: 'multi_tenant_magic_links'
}

/**
 * [inferred] PKCE for email magic links (reference §12). [SDK types] say only that `pkce_code_challenge`
 * is "a base64url encoded SHA256 hash of a one time secret" and that invites take none. Our choices:
 * - S256 is the only method (there is no `code_challenge_method` parameter): the stored challenge must
 *   equal base64url(SHA-256(pkce_code_verifier)), unpadded; the challenge is stored as sent (no format
 *   check) and the verifier is hashed as sent (no RFC 7636 length check).
 * - Order of checks on authenticate: unknown token (404 magic_link_not_found), used / expired / revoked
 *   (401 unable_to_auth_magic_link), then PKCE — a challenge and no verifier: pkce_expected_code_verifier;
 *   a verifier and no challenge (every invite): pkce_did_not_expect_code_verifier; a wrong one:
 *   pkce_mismatch; all 400.
 * - A PKCE failure does not consume the link (`failureConsumesLink`): the client holding the right
 *   verifier can still use it after someone else's failed attempt.
 */
export const pkce = { failureConsumesLink: false }

/**
 * [inferred] Discovery (reference §12). [SDK types/doc comments] give the shapes and these facts: an
 * intermediate session token lives 10 minutes by default; a discovery link lives 60 by default (like
 * login links, min 5, max 10080); listing organizations consumes nothing; organization create makes
 * the creator `stytch_admin`; with a member session only active/pending/invited memberships are listed.
 * Our choices:
 * - `linkTokenType`: the discovery link carries `stytch_token_type=discovery` (stytch-browser's parser).
 * - Eligible by email domain (`eligible_to_join_by_email_domain`, `membership.details = { domain }`): the
 *   org has `email_jit_provisioning: RESTRICTED` and the domain in `email_allowed_domains`. The docs'
 *   third condition (another member of the org with a verified address at that domain) is modelled by
 *   `requireVerifiedDomainMember`, off: the dev seed's members have never verified their address.
 * - Auth requirements of an org, checked on every discovered org, on intermediate-session exchange and
 *   on sessions.exchange: `auth_methods: RESTRICTED` without `magic_link` in `allowed_auth_methods`
 *   → `primary_required: { allowed_auth_methods }` (breakglass members exempt, as the SDK types say);
 *   else `mfa_policy: REQUIRED_FOR_ALL` or the member's `mfa_enrolled` without an MFA factor in the
 *   session → `mfa_required` (`member_options` when a member exists). Then `member_authenticated: false`,
 *   the intermediate token comes back (not spent) and `session_token` / `session_jwt` are `""`.
 * - sessions.exchange that needs more factors returns a new intermediate token bound to the target org
 *   (`organization_id_hint` when listed) and leaves the source session alive; a successful one ends the
 *   source session (`exchangeEndsSourceSession`, reference §12 "the old session is ended").
 * - A discovery link authenticate verifies the address but changes no member; members are activated and
 *   verified when an exchange or create gives them a session.
 * - Fields the SDK types mark optional are absent rather than null when they do not apply
 *   (`mfa_required`, `primary_required`, `membership.member`, `organization_id_hint`).
 */
export const discovery = {
  linkTokenType: 'discovery',
  linkMinutes: 60,
  intermediateSessionMinutes: 10,
  requireVerifiedDomainMember: false,
  exchangeEndsSourceSession: true,
  mfaFactorTypes: ['sms_otp', 'totp']
}

/**
 * [inferred] A short list standing in for Stytch's "common email domains" resource
 * (https://stytch.com/docs/b2b/api/common-email-domains), which `email_allowed_domains` may not contain.
 */
export const commonEmailDomains = [
  'gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com', 'icloud.com',
  'me.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'mail.com', 'yandex.com', 'zoho.com'
]

/**
 * [inferred] Organization fields that count as "authentication setting parameters" on create: when any
 * is given, `email_invites` defaults to NOT_ALLOWED instead of ALL_ALLOWED ([SDK doc comment]).
 */
export const authSettingFields = [
  'email_allowed_domains', 'email_jit_provisioning', 'email_invites', 'sso_jit_provisioning',
  'sso_jit_provisioning_allowed_connections', 'auth_methods', 'allowed_auth_methods',
  'oauth_tenant_jit_provisioning', 'allowed_oauth_tenants'
] as const

/**
 * [inferred] Reserved custom-claim names are rejected with 400 (the docs say error, the SDK comment says
 * ignored).
 */
export const reservedClaimNames = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']

/**
 * [inferred] Magic-link authenticate with a session_token/session_jwt that is unknown, expired or belongs to
 * another member: the session is ignored and a new one is created (no error).
 * [inferred] sessions.exchange accepts pending/invited target members (source session: see `discovery`).
 * [inferred] Member delete revokes its sessions and outstanding magic links (later authenticate → 401).
 * [inferred] Email uniqueness ignores deleted members; a new member may reuse a deleted member's email.
 * [inferred] Org slugs are compared exactly (case-sensitive).
 * [inferred] A failed authorization check does not extend or update the session.
 * [inferred] Session-header rules for fields/endpoints the SDK does not document:
 */
export const sessionHeaderRules = {
  // members.delete: `delete` on stytch.member, or on stytch.self for one's own record
  memberDelete: { action: 'delete', selfAllowed: true },
  // members.search: `search` on stytch.member; every organization_id must be the session's org
  memberSearch: { action: 'search', selfAllowed: false },
  // members.reactivate: `create` on stytch.member (re-adding a member)
  memberReactivate: { action: 'create', selfAllowed: false },
  // organizations.delete: `delete` on stytch.organization
  organizationDelete: { action: 'delete' },
  // sessions.revoke: `revoke-sessions` on stytch.member, or stytch.self when the target is oneself
  sessionRevoke: { action: 'revoke-sessions', selfAllowed: true },
  // sso.getConnections: `get` on stytch.sso (stytch_admin has it; a plain member does not)
  ssoGetConnections: { action: 'get' }
}

/**
 * [inferred] members.update fields with no documented permission (`external_id`) and organizations.update
 * fields with none (`organization_external_id`, `claimed_email_domains`, connected-app settings) are
 * refused (403 session_authorization_error) when a session header is present.
 */
export const memberFieldsRefusedWithSession = ['external_id']
export const organizationFieldsRefusedWithSession = [
  'organization_external_id', 'claimed_email_domains', 'first_party_connected_apps_allowed_type',
  'allowed_first_party_connected_apps', 'third_party_connected_apps_allowed_type', 'allowed_third_party_connected_apps'
]

/**
 * [inferred] Emulator faults (not Stytch): `error_status` given without `error_rate` means every request
 * fails; a malformed body is this HTML page.
 */
export const faultDefaults = {
  errorStatus: 500,
  errorRateWhenOnlyStatusGiven: 1,
  malformedBody: '<html><body>emulator: malformed upstream response</body></html>'
}
