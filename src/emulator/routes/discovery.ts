import { createHash } from 'node:crypto'
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  createIntermediateSession, discoveredOrganizations, discoveryFactor, eligibleByDomain, factorsFor, liveIntermediateSession,
  requirementFields, requirementOf
} from '../discovery.js'
import { StytchApiError } from '../errors.js'
import { newToken, requestId, rfc3339, sha256Hex } from '../ids.js'
import { defaults, discovery, errors, pkce } from '../inferred.js'
import { checkIdentity, checkImplicitRoles, normalizeDomains } from '../organization-rules.js'
import { JsonObject, OrganizationSettings } from '../schemas.js'
import { authResponse, createSession, locateSession, sessionMember } from '../sessions-core.js'
import {
  nowMs, type AuthenticationFactor, type EmulatorState, type Organization, type StoredDiscoveryLink, type StoredIntermediateSession, type StoredMember
} from '../state.js'
import { insertMember, insertOrganization, memberByEmail, publicMember, publicOrganization, requireOrganization, touch } from '../store.js'
import {
  checkCustomClaimNames, checkRedirectUrl, checkSessionDuration, emailDomain, initialMetadata, linkMinutes, mergeCustomClaims, normalizeEmail
} from '../validate.js'

const SendBody = Type.Object({
  email_address: Type.String(),
  discovery_redirect_url: Type.Optional(Type.String()),
  pkce_code_challenge: Type.Optional(Type.String()),
  login_template_id: Type.Optional(Type.String()),
  locale: Type.Optional(Type.String()),
  discovery_expiration_minutes: Type.Optional(Type.Number())
})
const AuthenticateBody = Type.Object({
  discovery_magic_links_token: Type.String(),
  pkce_code_verifier: Type.Optional(Type.String())
})
const ListBody = Type.Object({
  intermediate_session_token: Type.Optional(Type.String()),
  session_token: Type.Optional(Type.String()),
  session_jwt: Type.Optional(Type.String())
})
const SessionFields = {
  session_duration_minutes: Type.Optional(Type.Number()),
  session_custom_claims: Type.Optional(JsonObject),
  locale: Type.Optional(Type.String()),
  telemetry_id: Type.Optional(Type.String())
}
const CreateBody = Type.Object({
  intermediate_session_token: Type.String(),
  ...SessionFields,
  organization_name: Type.Optional(Type.String()),
  organization_slug: Type.Optional(Type.String()),
  ...OrganizationSettings
})
const ExchangeBody = Type.Object({ intermediate_session_token: Type.String(), organization_id: Type.String(), ...SessionFields })

/** [inferred] Common mailbox providers: an org created from such an address is named after its local part. */
const COMMON_DOMAINS = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'proton.me', 'protonmail.com'])

/** [SDK doc comment] default name and slug from the address: its domain, or its local part for common providers and .edu. */
function defaultIdentity (state: EmulatorState, email: string): { organization_name: string, organization_slug: string } {
  const domain = emailDomain(email)
  const personal = COMMON_DOMAINS.has(domain) || domain.endsWith('.edu')
  const base = (personal ? email.slice(0, email.lastIndexOf('@')) : domain.slice(0, domain.lastIndexOf('.') > 0 ? domain.lastIndexOf('.') : undefined))
  const slugBase = base.toLowerCase().replace(/[^a-z0-9\-._~]+/g, '-').replace(/^-+|-+$/g, '').padEnd(2, '0').slice(0, 120)
  const taken = new Set([...state.organizations.values()].map((organization) => organization.organization_slug))
  let slug = slugBase
  for (let n = 2; taken.has(slug); n++) slug = `${slugBase}-${n}`
  return { organization_name: base.slice(0, 128) || slug, organization_slug: slug }
}

function checkPkce (link: StoredDiscoveryLink, verifier: string | undefined): void {
  const challenge = link.pkce_code_challenge
  let error: StytchApiError | undefined
  if (challenge === undefined) error = verifier === undefined ? undefined : new StytchApiError(errors.pkceUnexpectedVerifier)
  else if (verifier === undefined) error = new StytchApiError(errors.pkceExpectedVerifier)
  else if (createHash('sha256').update(verifier).digest('base64url') !== challenge) error = new StytchApiError(errors.pkceMismatch)
  if (error === undefined) return
  if (pkce.failureConsumesLink) link.used = true
  throw error
}

/** The answer when the org needs more than these factors: no session, the intermediate token to continue with. */
function notAuthenticated (
  state: EmulatorState, member: StoredMember, organization: Organization, token: string, expiresAt: string, fields: Record<string, unknown>
): Record<string, unknown> {
  return {
    request_id: requestId(),
    status_code: 200,
    member_id: member.member_id,
    member: publicMember(state, member),
    organization: publicOrganization(organization),
    member_authenticated: false,
    intermediate_session_token: token,
    intermediate_session_token_expires_at: expiresAt,
    session_token: '',
    session_jwt: '',
    ...fields
  }
}

/** A member about to get a session from a verified email: active, address verified. */
function activate (state: EmulatorState, member: StoredMember): void {
  if (member.status === 'active' && member.email_address_verified) return
  member.status = 'active'
  member.email_address_verified = true
  touch(state, member)
}

/** Spends the intermediate session for a session of `member`; the full auth response. */
async function completeLogin (
  state: EmulatorState, intermediate: StoredIntermediateSession, member: StoredMember, body: { session_duration_minutes?: number | undefined, session_custom_claims?: Record<string, unknown> | undefined }
): Promise<Record<string, unknown>> {
  const claims = mergeCustomClaims({}, body.session_custom_claims)
  intermediate.used = true
  activate(state, member)
  const factors: AuthenticationFactor[] = factorsFor(intermediate.authentication_factors, member)
  const session = createSession(state, member, factors, body.session_duration_minutes ?? defaults.sessionDurationMinutes, claims)
  // B2BDiscoveryIntermediateSessionsExchangeResponse / OrganizationsCreateResponse: member_id at top level ([SDK]).
  return { ...await authResponse(state, session), member_id: member.member_id, member_authenticated: true, intermediate_session_token: '' }
}

function tokenOf (intermediateToken: string, intermediate: StoredIntermediateSession): { token: string, expiresAt: string } {
  return { token: intermediateToken, expiresAt: rfc3339(intermediate.expires_at_ms) }
}

/**
 * Discovery (reference §12): magicLinks.email.discovery.send, magicLinks.discovery.authenticate,
 * discovery.organizations.list / create and discovery.intermediateSessions.exchange. Choices: inferred.ts `discovery`.
 */
export const discoveryRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  const { options } = state

  app.post('/v1/b2b/magic_links/email/discovery/send', { schema: { body: SendBody } }, async (request) => {
    const body = request.body
    const email = normalizeEmail(body.email_address)
    const minutes = linkMinutes(body.discovery_expiration_minutes, discovery.linkMinutes)
    const redirectUrl = body.discovery_redirect_url ?? options.defaultRedirectUrl
    const url = checkRedirectUrl(redirectUrl)
    const token = newToken()
    const now = nowMs(state)
    const expiresAt = now + minutes * 60_000
    state.discoveryLinks.set(sha256Hex(token), {
      email_address: email,
      ...(body.pkce_code_challenge === undefined ? {} : { pkce_code_challenge: body.pkce_code_challenge }),
      expires_at_ms: expiresAt,
      used: false
    })
    url.searchParams.set('stytch_token_type', discovery.linkTokenType)
    url.searchParams.set('token', token)
    state.outbox.push({
      email_address: email,
      type: 'discovery',
      organization_id: '',
      organization_slug: '',
      member_id: '',
      link: url.toString(),
      token,
      redirect_url: redirectUrl,
      sent_at: rfc3339(now),
      expires_at: rfc3339(expiresAt),
      pkce_code_challenge: body.pkce_code_challenge ?? null
    })
    return { request_id: requestId(), status_code: 200 }
  })

  app.post('/v1/b2b/magic_links/discovery/authenticate', { schema: { body: AuthenticateBody } }, async (request) => {
    const body = request.body
    const link = state.discoveryLinks.get(sha256Hex(body.discovery_magic_links_token))
    if (link === undefined) throw new StytchApiError(errors.magicLinkNotFound)
    if (link.used || link.expires_at_ms <= nowMs(state)) throw new StytchApiError(errors.unableToAuthMagicLink)
    checkPkce(link, body.pkce_code_verifier)
    link.used = true
    const factors = [discoveryFactor(state, link.email_address)]
    const { token, expiresAt } = createIntermediateSession(state, link.email_address, factors)
    return {
      request_id: requestId(),
      status_code: 200,
      intermediate_session_token: token,
      intermediate_session_token_expires_at: expiresAt,
      email_address: link.email_address,
      discovered_organizations: discoveredOrganizations(state, link.email_address, factors, true)
    }
  })

  app.post('/v1/b2b/discovery/organizations', { schema: { body: ListBody } }, async (request) => {
    const body = request.body
    const given = [body.intermediate_session_token, body.session_token, body.session_jwt].filter((value) => value !== undefined).length
    if (given === 0) throw new StytchApiError(errors.noDiscoveryArguments)
    if (given > 1) throw new StytchApiError(errors.tooManyDiscoveryArguments)
    if (body.intermediate_session_token !== undefined) {
      const intermediate = liveIntermediateSession(state, body.intermediate_session_token)
      return {
        request_id: requestId(),
        status_code: 200,
        email_address: intermediate.email_address,
        discovered_organizations: discoveredOrganizations(state, intermediate.email_address, intermediate.authentication_factors, true),
        ...(intermediate.organization_id === undefined ? {} : { organization_id_hint: intermediate.organization_id })
      }
    }
    const session = await locateSession(state, body)
    const { member } = sessionMember(state, session)
    return {
      request_id: requestId(),
      status_code: 200,
      email_address: member.email_address,
      discovered_organizations: discoveredOrganizations(state, member.email_address, session.authentication_factors, false)
    }
  })

  app.post('/v1/b2b/discovery/organizations/create', { schema: { body: CreateBody } }, async (request) => {
    const {
      intermediate_session_token: intermediateToken, session_duration_minutes: duration, session_custom_claims: customClaims,
      locale: _locale, telemetry_id: _telemetry, ...fields
    } = request.body
    checkSessionDuration(duration)
    checkCustomClaimNames(customClaims)
    const intermediate = liveIntermediateSession(state, intermediateToken)
    const email = intermediate.email_address
    const identity = { ...defaultIdentity(state, email), ...fields }
    checkIdentity(state, identity)
    const organization = insertOrganization(state, {
      ...identity,
      trusted_metadata: initialMetadata(fields.trusted_metadata),
      email_allowed_domains: normalizeDomains(fields.email_allowed_domains),
      rbac_email_implicit_role_assignments: checkImplicitRoles(state, { custom_roles: [] }, fields.rbac_email_implicit_role_assignments)
    })
    // [SDK doc comment] the creator is the new org's stytch_admin.
    const member = insertMember(state, organization, { email_address: email, status: 'active', explicit_roles: ['stytch_admin'] })
    member.email_address_verified = true
    const requirement = requirementOf(organization, member, intermediate.authentication_factors)
    if (requirement.kind !== 'none') {
      const { token, expiresAt } = tokenOf(intermediateToken, intermediate)
      return notAuthenticated(state, member, organization, token, expiresAt, requirementFields(requirement))
    }
    return await completeLogin(state, intermediate, member, { session_duration_minutes: duration, session_custom_claims: customClaims })
  })

  app.post('/v1/b2b/discovery/intermediate_sessions/exchange', { schema: { body: ExchangeBody } }, async (request) => {
    const body = request.body
    checkSessionDuration(body.session_duration_minutes)
    checkCustomClaimNames(body.session_custom_claims)
    const intermediate = liveIntermediateSession(state, body.intermediate_session_token)
    const organization = requireOrganization(state, body.organization_id)
    const email = intermediate.email_address
    let member = memberByEmail(state, organization.organization_id, email)
    if (member === undefined) {
      // JIT by email domain; the member starts pending and becomes active with its first session.
      if (!eligibleByDomain(state, organization, email)) throw new StytchApiError(errors.noAssociationWithOrganization)
      member = insertMember(state, organization, { email_address: email, status: 'pending' })
    }
    const requirement = requirementOf(organization, member, intermediate.authentication_factors)
    if (requirement.kind !== 'none') {
      const { token, expiresAt } = tokenOf(body.intermediate_session_token, intermediate)
      return notAuthenticated(state, member, organization, token, expiresAt, requirementFields(requirement))
    }
    return await completeLogin(state, intermediate, member, body)
  })
}

/**
 * sessions.exchange needing more factors in the target org: a new intermediate session bound to it (inferred.ts
 * `discovery`), with the source session's factors; the answer without a session.
 */
export function exchangeNeedsMore (
  state: EmulatorState, member: StoredMember, organization: Organization, factors: AuthenticationFactor[], fields: Record<string, unknown>
): Record<string, unknown> {
  const { token, expiresAt } = createIntermediateSession(state, member.email_address, factors, organization.organization_id)
  return notAuthenticated(state, member, organization, token, expiresAt, fields)
}
