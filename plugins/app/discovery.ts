import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Static } from '@sinclair/typebox'
import type { DiscoveredOrganization as StytchDiscoveredOrganization, Member, MemberSession, MfaRequired, PrimaryRequired } from 'stytch'
import { DISCOVERY_CALLBACK_PATH } from '../../src/config.js'
import { cookieOptions, intermediateCookieName, secondsUntil } from '../../src/auth/cookies.js'
import { stytchAuthorization } from '../../src/auth/credentials.js'
import { isTrustedOrNotBrowser } from '../../src/auth/origin.js'
import { confirmPage, discoveryLinkSentPage, expiredLinkPage, incompleteLinkPage, unavailablePage, type Page } from '../../src/auth/pages.js'
import { contextFromMemberSession } from '../../src/auth/session-context.js'
import { boundExpiry } from '../../src/auth/session-policy.js'
import {
  InvalidIntermediateSessionError, MfaRequiredError, OrganizationCreationDisabledError, OriginNotAllowedError, PrimaryAuthRequiredError,
  RETRY_AFTER_SECONDS
} from '../../src/errors.js'
import type { MagicLinkConfirmBodySchema, MagicLinkLandingQuerySchema } from '../../src/schemas/auth.js'
import type {
  AuthenticateDiscoveryBodySchema, CreateOrganizationBodySchema, DiscoveredOrganization, DiscoveryLogin, ExchangeIntermediateSessionBodySchema,
  SendDiscoveryLinkBodySchema
} from '../../src/schemas/discovery.js'
import type { Login } from '../../src/schemas/auth.js'
import { MagicLinkTokenSchema } from '../../src/schemas/primitives.js'
import { SESSION_JWT_HEADER } from './sessions.js'
import type { LoginAnswer, LoginResult } from './login.js'

type SendBody = Static<typeof SendDiscoveryLinkBodySchema>
type AuthenticateBody = Static<typeof AuthenticateDiscoveryBodySchema>
type ExchangeBody = Static<typeof ExchangeIntermediateSessionBodySchema>
type CreateBody = Static<typeof CreateOrganizationBodySchema>
type LandingQuery = Static<typeof MagicLinkLandingQuerySchema>
type ConfirmBody = Static<typeof MagicLinkConfirmBodySchema>
type Delivery = 'cookie' | 'body'

const TOKEN = new RegExp(MagicLinkTokenSchema.pattern as string)
const DISCOVERY = { kind: 'discovery' } as const
const MAGIC_LINK = { kind: 'magic-link' } as const
const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode

/** What Stytch answers when it hands out a session (exchange, create): maybe not, if the org needs more. */
interface SessionAnswer {
  member_authenticated: boolean
  member: Member
  member_session?: MemberSession | undefined
  session_token: string
  session_jwt: string
  primary_required?: PrimaryRequired | null | undefined
  mfa_required?: MfaRequired | null | undefined
}

/** Stytch's DiscoveredOrganization, as this API shows it: flat, with what entering it needs. */
function organizationView (found: StytchDiscoveredOrganization): DiscoveredOrganization | undefined {
  const organization = found.organization
  const membership = found.membership
  if (organization === undefined || membership === undefined) return undefined
  const primary = found.primary_required ?? undefined
  const needs = found.member_authenticated ? undefined : primary !== undefined ? 'primary_auth' : 'mfa'
  return {
    organization_id: organization.organization_id,
    organization_slug: organization.organization_slug ?? '',
    organization_name: organization.organization_name,
    organization_logo_url: organization.organization_logo_url ?? '',
    membership: membership.type as DiscoveredOrganization['membership'],
    ...(membership.member?.member_id === undefined ? {} : { member_id: membership.member.member_id }),
    can_enter: found.member_authenticated,
    ...(needs === undefined ? {} : { requires: needs }),
    ...(needs === 'primary_auth' ? { allowed_auth_methods: primary?.allowed_auth_methods ?? [] } : {})
  }
}

const organizationViews = (list: StytchDiscoveredOrganization[]): DiscoveredOrganization[] =>
  list.map(organizationView).filter((view): view is DiscoveredOrganization => view !== undefined)

/**
 * The discovery login service (`fastify.discovery`): logging in without naming the organization
 * first (Stytch's discovery flow), and switching a logged-in member to another organization.
 * It follows the organization login's rules (plugins/app/login.ts) and shares its parts: the
 * link's lifetime and sealed context, the browser's PKCE verifier cookie, the scanner-proof
 * landing page, browser (cookies) or mobile (body) delivery.
 * - An authenticated discovery link yields an intermediate session (10 minutes, single use at
 *   Stytch): an HttpOnly cookie for browsers, the token in the body for apps.
 * - Exchanging it for one of the discovered organizations (or creating one, when
 *   DISCOVERY_CREATE_ORGANIZATIONS allows) delivers a full session exactly like a login.
 * - An organization whose rules the login does not meet (another primary method, MFA) answers a
 *   403 saying which (`primary_auth_required`, `mfa_required`), never a session.
 */
function createDiscoveryService (fastify: FastifyInstance) {
  const { config, login, sessions } = fastify
  const { client } = fastify.stytch
  const callbackUrl = `${config.PUBLIC_URL}${DISCOVERY_CALLBACK_PATH}`
  const cookieName = intermediateCookieName(config)
  const cookieBase = cookieOptions(config)
  const linkMinutes = config.MAGIC_LINK_LOGIN_EXPIRATION_MINUTES
  const canCreate = config.DISCOVERY_CREATE_ORGANIZATIONS === true

  function setIntermediate (reply: FastifyReply, token: string, expiresAt: string): void {
    void reply.header('cache-control', 'no-store')
    void reply.setCookie(cookieName, token, { ...cookieBase, maxAge: secondsUntil(expiresAt, Date.now()) })
  }

  const clearIntermediate = (reply: FastifyReply): void => { void reply.clearCookie(cookieName, cookieBase) }

  /**
   * The intermediate session a request carries: the body's token (apps), else the cookie — then
   * only from a page this API trusts (a cross-site page must not spend a browser's discovery login).
   */
  function intermediateOf (request: FastifyRequest, given: string | undefined): string {
    if (given !== undefined) return given
    const cookie = request.cookies[cookieName]
    if (cookie === undefined || cookie === '') throw new InvalidIntermediateSessionError()
    if (!isTrustedOrNotBrowser(request.headers, config)) throw new OriginNotAllowedError()
    return cookie
  }

  /** A session Stytch handed out, or the 403 saying what the organization needs instead. */
  function loginResult (answer: SessionAnswer): LoginResult {
    if (!answer.member_authenticated || answer.member_session === undefined) {
      const primary = answer.primary_required ?? undefined
      if (primary !== undefined) throw new PrimaryAuthRequiredError(primary.allowed_auth_methods.join(', '))
      throw new MfaRequiredError()
    }
    return {
      context: boundExpiry(contextFromMemberSession(answer.member_session, answer.member.email_address), config),
      session_token: answer.session_token,
      session_jwt: answer.session_jwt
    }
  }

  /**
   * Hands a new session to the client the way organization login does (routes/auth/magic-links.ts):
   * cookies through the session service, or the tokens in the body.
   */
  function deliverSession (reply: FastifyReply, result: LoginResult, delivery: Delivery): Login {
    const view = { member: result.context.member, organization: result.context.organization, session: result.context.session }
    if (delivery === 'body') return { ...view, session_token: result.session_token, session_jwt: result.session_jwt }
    sessions.setCookies(reply, { ...result, expires_at: result.context.session.expires_at })
    return view
  }

  /** Spends a discovery link (single use at Stytch) with this verifier; clears the browser's verifier once used. */
  async function authenticateLink (request: FastifyRequest, reply: FastifyReply, token: string, clientVerifier: string | undefined) {
    const cookie = clientVerifier === undefined ? login.readVerifier(request) : undefined
    const verifier = clientVerifier ?? cookie
    const response = await fastify.stytch.call(MAGIC_LINK, () => client.magicLinks.discovery.authenticate({
      discovery_magic_links_token: token,
      ...(verifier === undefined ? {} : { pkce_code_verifier: verifier })
    }))
    if (cookie !== undefined) login.clearVerifier(reply)
    return response
  }

  return {
    canCreate,

    /**
     * sendDiscoveryMagicLink: like sendLoginMagicLink, with no organization. Stytch sends a
     * discovery link to any address; a refusal about the address is swallowed like the login's.
     */
    async send (request: FastifyRequest, reply: FastifyReply, body: SendBody): Promise<void> {
      if (!isTrustedOrNotBrowser(request.headers, config)) throw new OriginNotAllowedError()
      const challenge = body.pkce_code_challenge ?? login.browserChallenge(request, reply)
      const redirectUrl = login.landingUrl({
        kind: 'discovery', organization: '', email: body.email_address.toLowerCase(), pkce: true, expiresAt: Date.now() + linkMinutes * 60_000
      }, callbackUrl)
      await fastify.stytch.call({ kind: 'read' }, () => client.magicLinks.email.discovery.send({
        email_address: body.email_address,
        discovery_redirect_url: redirectUrl,
        discovery_expiration_minutes: linkMinutes,
        pkce_code_challenge: challenge
      }), { types: 'any-client-error', fallback: undefined })
    },

    /** The landing pages' "ask for a new link" form. */
    async sendFromForm (request: FastifyRequest, reply: FastifyReply, body: SendBody): Promise<Page> {
      try {
        await this.send(request, reply, body)
      } catch (err) {
        if (statusOf(err) === 503) return unavailablePage(undefined, RETRY_AFTER_SECONDS, { email: body.email_address, discovery: true })
        throw err
      }
      return discoveryLinkSentPage({ email: body.email_address, minutes: linkMinutes })
    },

    /** GET / HEAD of an emailed discovery link: a page, never a login. */
    landing (request: FastifyRequest, query: LandingQuery): Page {
      const context = login.openContext(query.context)
      const usable = context?.kind === 'discovery' ? context : undefined
      if (query.token === undefined || !TOKEN.test(query.token)) return incompleteLinkPage(usable, true)
      if (usable !== undefined && usable.expiresAt <= Date.now()) return expiredLinkPage(usable)
      return confirmPage({
        link: { token: query.token, next: query.next, sealedContext: usable === undefined ? undefined : query.context, discovery: true },
        context: usable,
        hasVerifier: login.readVerifier(request) !== undefined
      })
    },

    /**
     * authenticateDiscoveryMagicLink (apps, SPAs): the intermediate session and the organizations
     * the address can enter; the token in the body, or an HttpOnly cookie.
     */
    async authenticate (request: FastifyRequest, reply: FastifyReply, body: AuthenticateBody): Promise<DiscoveryLogin> {
      const response = await authenticateLink(request, reply, body.token, body.pkce_code_verifier)
      const expiresAt = response.intermediate_session_token_expires_at ?? new Date(Date.now() + 10 * 60_000).toISOString()
      const view: DiscoveryLogin = {
        email_address: response.email_address,
        organizations: organizationViews(response.discovered_organizations),
        can_create_organization: canCreate,
        intermediate_session_expires_at: expiresAt
      }
      if (body.delivery === 'body') return { ...view, intermediate_session_token: response.intermediate_session_token }
      setIntermediate(reply, response.intermediate_session_token, expiresAt)
      return view
    },

    /**
     * The landing page's button: spends the link with this browser's verifier, sets the
     * intermediate-session cookie and redirects to `next` if allow-listed (else the first
     * LOGIN_REDIRECT_URLS), where the app lists the organizations; or a page saying why not.
     */
    async confirm (request: FastifyRequest, reply: FastifyReply, body: ConfirmBody): Promise<LoginAnswer> {
      const opened = login.openContext(body.context)
      const context = opened?.kind === 'discovery' ? opened : undefined
      let response
      try {
        response = await authenticateLink(request, reply, body.token, undefined)
      } catch (err) {
        const link = { token: body.token, next: body.next, sealedContext: context === undefined ? undefined : body.context, discovery: true }
        return { page: login.pageForFailure(err, context, link) }
      }
      setIntermediate(reply, response.intermediate_session_token, response.intermediate_session_token_expires_at ?? new Date(Date.now() + 10 * 60_000).toISOString())
      return { redirect: login.redirectTarget(body.next) }
    },

    /** listDiscoveredOrganizations: the organizations of the intermediate session (spends nothing). */
    async list (request: FastifyRequest, given: string | undefined): Promise<{ email_address: string, organizations: DiscoveredOrganization[] }> {
      const token = intermediateOf(request, given)
      const response = await fastify.stytch.call(DISCOVERY, () => client.discovery.organizations.list({ intermediate_session_token: token }))
      return { email_address: response.email_address, organizations: organizationViews(response.discovered_organizations) }
    },

    /** exchangeIntermediateSession: a full session in the chosen organization (the intermediate session is spent). */
    async exchange (request: FastifyRequest, reply: FastifyReply, body: ExchangeBody): Promise<Login> {
      const token = intermediateOf(request, body.intermediate_session_token)
      const answer = await fastify.stytch.call(DISCOVERY, () => client.discovery.intermediateSessions.exchange({
        intermediate_session_token: token,
        organization_id: body.organization_id,
        session_duration_minutes: config.SESSION_DURATION_MINUTES
      }))
      const result = loginResult(answer)
      if (body.intermediate_session_token === undefined) clearIntermediate(reply)
      await login.loggedIn(request, result, body.delivery ?? 'cookie', { type: 'login', details: { method: 'discovery_magic_link' } })
      return deliverSession(reply, result, body.delivery)
    },

    /** createOrganizationViaDiscovery: a new organization whose creator is its stytch_admin. */
    async create (request: FastifyRequest, reply: FastifyReply, body: CreateBody): Promise<Login> {
      if (!canCreate) throw new OrganizationCreationDisabledError()
      const token = intermediateOf(request, body.intermediate_session_token)
      const answer = await fastify.stytch.call(DISCOVERY, () => client.discovery.organizations.create({
        intermediate_session_token: token,
        session_duration_minutes: config.SESSION_DURATION_MINUTES,
        ...(body.organization_name === undefined ? {} : { organization_name: body.organization_name }),
        ...(body.organization_slug === undefined ? {} : { organization_slug: body.organization_slug })
      }))
      const result = loginResult(answer)
      if (body.intermediate_session_token === undefined) clearIntermediate(reply)
      await login.loggedIn(request, result, body.delivery ?? 'cookie', { type: 'login', details: { method: 'discovery_magic_link', organization_created: true } })
      return deliverSession(reply, result, body.delivery)
    },

    /** listMyOrganizations: the organizations the session's email address is a member of. */
    async listMine (request: FastifyRequest): Promise<{ email_address: string, organizations: DiscoveredOrganization[] }> {
      const credential = stytchAuthorization(request.credentials)
      const response = await fastify.stytch.call(DISCOVERY, () => client.discovery.organizations.list(credential))
      return { email_address: response.email_address, organizations: organizationViews(response.discovered_organizations) }
    },

    /**
     * switchOrganization: Stytch's sessions.exchange to the same address's member in another
     * organization. The new session replaces the old one in the answer (both cookies rewritten, or
     * the new tokens in the body for bearer clients); the old session ends at Stytch and enters the
     * revocation list at once, so its JWT is refused on every instance.
     */
    async switchTo (request: FastifyRequest, reply: FastifyReply, organizationId: string): Promise<Login> {
      const current = request.requireAuth()
      const credential = stytchAuthorization(request.credentials)
      const answer = await fastify.stytch.call(DISCOVERY, () => client.sessions.exchange({
        organization_id: organizationId,
        ...credential,
        session_duration_minutes: config.SESSION_DURATION_MINUTES
      }))
      const result = loginResult(answer)
      const oldSessionId = current.session.member_session_id
      await sessions.markRevoked([oldSessionId])
      // Stytch may have ended it already (session_not_found counts as done); if it cannot be
      // reached now, the revocation list above still refuses the old session's JWT here.
      await sessions.revoke(oldSessionId).catch((err: unknown) => {
        request.log.warn({ err: { code: (err as { code?: string }).code } }, 'switchOrganization: the old session could not be revoked at Stytch')
      })
      const delivery: Delivery = request.credentials?.via === 'cookie' ? 'cookie' : 'body'
      // One event in each organization: the one left (actor: the old member) and the one entered.
      await fastify.audit.record(request, {
        type: 'organization_switched',
        target_member_id: current.member.member_id,
        target_session_id: oldSessionId,
        details: { direction: 'left', to_organization_id: result.context.organization.organization_id }
      })
      await login.loggedIn(request, result, delivery, {
        type: 'organization_switched',
        details: { method: 'session_exchange', direction: 'entered', from_organization_id: current.organization.organization_id, from_member_session_id: oldSessionId }
      })
      // The auth hook may have set a fresh JWT of the old session; the new session replaces it.
      if (delivery === 'body') reply.removeHeader(SESSION_JWT_HEADER)
      return deliverSession(reply, result, delivery)
    }
  }
}

export type DiscoveryService = ReturnType<typeof createDiscoveryService>

declare module 'fastify' {
  interface FastifyInstance {
    discovery: DiscoveryService
  }
}

export default fp(async function discovery (fastify: FastifyInstance) {
  fastify.decorate('discovery', createDiscoveryService(fastify))
}, { name: 'discovery', dependencies: ['stytch', 'sessions', 'login', '@fastify/cookie'] })
