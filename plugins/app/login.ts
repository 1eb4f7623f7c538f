import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Static } from '@sinclair/typebox'
import type { B2BMagicLinksAuthenticateRequest, B2BMagicLinksAuthenticateResponse } from 'stytch'
import { magicLinkCallbackUrl } from '../../src/config.js'
import { cookieOptions, verifierCookieName } from '../../src/auth/cookies.js'
import { linkContextSealer, type LinkContext } from '../../src/auth/link-context.js'
import { isSameOriginRequest, isTrustedOrNotBrowser } from '../../src/auth/origin.js'
import {
  confirmPage, expiredLinkPage, incompleteLinkPage, linkSentPage, otherBrowserPage, pageHeaders, refusedPage, spentLinkPage, unavailablePage,
  type LinkFields, type Page
} from '../../src/auth/pages.js'
import { challengeOf, newVerifier, verifierFromCookies } from '../../src/auth/pkce.js'
import { contextFromMemberSession, type SessionContext } from '../../src/auth/session-context.js'
import { boundExpiry } from '../../src/auth/session-policy.js'
import { BadRequestError, InvalidMagicLinkError, MagicLinkPkceError, OriginNotAllowedError, RETRY_AFTER_SECONDS } from '../../src/errors.js'
import type { MagicLinkConfirmBodySchema, MagicLinkLandingQuerySchema, SendLoginLinkBodySchema } from '../../src/schemas/auth.js'
import { MagicLinkTokenSchema } from '../../src/schemas/primitives.js'

export interface LoginResult { context: SessionContext, session_token: string, session_jwt: string }

/** What the confirmation POST answers: a redirect once logged in, or a page that says why not. */
export type LoginAnswer = { redirect: string } | { page: Page }

type SendBody = Static<typeof SendLoginLinkBodySchema>
type LandingQuery = Static<typeof MagicLinkLandingQuerySchema>
type ConfirmBody = Static<typeof MagicLinkConfirmBodySchema>

/** Where a PKCE verifier came from: the client's own (strict), or this browser's cookie (used if the link wants one). */
type Verifier = { value: string, from: 'client' | 'cookie' } | undefined

const TOKEN = new RegExp(MagicLinkTokenSchema.pattern as string)
const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode

/**
 * The login service (`fastify.login`): sending magic links and turning them into sessions, so that
 * a link completes a login only in the client that asked for it and only when that client means it.
 * - Sending always sets the link's lifetime and, for a login link, a PKCE challenge: the client's
 *   own (mobile, SPA), or one of a verifier kept in this browser's HttpOnly cookie.
 * - Opening a link (GET, HEAD — a person, a mail scanner, a preview) spends nothing: it shows a
 *   page that names the organization and the address. Only a same-origin POST of that page's form
 *   (or an app's authenticateMagicLink call) spends the token, with the browser's verifier.
 * - A link Stytch refuses (spent, expired, another browser's) gets a page with a way to ask again.
 * Stytch failures are translated once (src/stytch/errors.ts); the pages are src/auth/pages.ts.
 */
function createLoginService (fastify: FastifyInstance) {
  const { config, sessions } = fastify
  const { client } = fastify.stytch
  const callbackUrl = magicLinkCallbackUrl(config)
  // STYTCH_SECRET is always set once the app runs (server.ts fills it in for the embedded emulator);
  // without one, contexts are sealed with a key of this process alone.
  const sealer = linkContextSealer(config.STYTCH_SECRET ?? randomBytes(32).toString('base64url'))
  const verifierCookie = verifierCookieName(config)
  const cookieBase = cookieOptions(config)
  const loginMinutes = config.MAGIC_LINK_LOGIN_EXPIRATION_MINUTES
  const inviteMinutes = config.MAGIC_LINK_INVITE_EXPIRATION_MINUTES
  const redirectTargets = config.LOGIN_REDIRECT_URLS.length > 0 ? config.LOGIN_REDIRECT_URLS : [`${config.PUBLIC_URL}/docs`]
  const defaultTarget = redirectTargets[0] as string
  const headers = pageHeaders(redirectTargets)

  /** The callback URL with the link's sealed context: Stytch appends the token to it. */
  function landingUrl (context: LinkContext, callback = callbackUrl): string {
    const url = new URL(callback)
    url.searchParams.set('context', sealer.seal(context))
    return url.toString()
  }

  const readVerifier = (request: FastifyRequest): string | undefined => verifierFromCookies(request.headers.cookie, request.cookies, verifierCookie)

  function setVerifier (reply: FastifyReply, verifier: string): void {
    void reply.header('cache-control', 'no-store')
    // As long as the link it goes with: the callback needs it, nothing else does.
    void reply.setCookie(verifierCookie, verifier, { ...cookieBase, maxAge: loginMinutes * 60 })
  }

  const clearVerifier = (reply: FastifyReply): void => { void reply.clearCookie(verifierCookie, cookieBase) }

  const authenticateRequest = (token: string, verifier: string | undefined): B2BMagicLinksAuthenticateRequest => ({
    magic_links_token: token,
    session_duration_minutes: config.SESSION_DURATION_MINUTES,
    ...(verifier === undefined ? {} : { pkce_code_verifier: verifier })
  })
  const MAGIC_LINK = { kind: 'magic-link' } as const
  const authenticateOnce = async (token: string, verifier: string | undefined): Promise<B2BMagicLinksAuthenticateResponse> =>
    await fastify.stytch.call(MAGIC_LINK, () => client.magicLinks.authenticate(authenticateRequest(token, verifier)))

  /**
   * Spends the token (single use) for a session. A client's verifier is checked as given; the
   * cookie's is offered only because the browser holds one: when Stytch answers that this link
   * expects none (an invite, which cannot carry PKCE), the token is exchanged without it.
   */
  async function exchange (token: string, verifier: Verifier): Promise<{ result: LoginResult, usedCookie: boolean }> {
    const fromCookie = verifier?.from === 'cookie'
    const first = fromCookie
      ? await fastify.stytch.call(MAGIC_LINK, () => client.magicLinks.authenticate(authenticateRequest(token, verifier?.value)), { types: ['pkce_did_not_expect_code_verifier'], fallback: null })
      : await authenticateOnce(token, verifier?.value)
    // null: the link was sent without a challenge; Stytch refused the verifier and consumed nothing.
    const usedCookie = fromCookie && first !== null
    const response = first ?? await authenticateOnce(token, undefined)
    if (response.member_session === undefined || !response.member_authenticated) {
      // MFA is not offered by this API: an organization that requires it cannot log in here.
      throw new BadRequestError('This organization requires a second factor, which this API does not support')
    }
    const result = {
      context: boundExpiry(contextFromMemberSession(response.member_session, response.member.email_address), config),
      session_token: response.session_token,
      session_jwt: response.session_jwt
    }
    return { result, usedCookie }
  }

  /**
   * A session was just minted for the request: its device is noted (written before the reply) and
   * the `login` event recorded. When the event cannot be written, the session is revoked (best
   * effort) and the login fails with 503: no session exists that the audit trail does not know of.
   */
  async function loggedIn (
    request: FastifyRequest, result: LoginResult, delivery: 'cookie' | 'body' | 'form',
    event: { type: 'login' | 'organization_switched', details?: Record<string, unknown> } = { type: 'login' }
  ): Promise<void> {
    const { member, session } = result.context
    sessions.noteDevice(request, { member_session_id: session.member_session_id, organization_id: member.organization_id, member_id: member.member_id })
    try {
      await fastify.audit.record(request, {
        type: event.type,
        organization_id: member.organization_id,
        actor_member_id: member.member_id,
        target_member_id: member.member_id,
        target_session_id: session.member_session_id,
        details: { method: 'magic_link', delivery, ...event.details }
      })
    } catch (err) {
      request.sessionDevice = null
      await sessions.revoke(session.member_session_id).catch(() => undefined)
      throw err
    }
  }

  /** The page for a login that did not happen (any other failure is the API's usual error). */
  function pageForFailure (err: unknown, context: LinkContext | undefined, link: LinkFields): Page {
    if (err instanceof InvalidMagicLinkError) return spentLinkPage(context, defaultTarget)
    if (err instanceof MagicLinkPkceError) return otherBrowserPage(context)
    const status = statusOf(err)
    if (status === 503) return unavailablePage(link, RETRY_AFTER_SECONDS)
    if (status !== undefined && status >= 400 && status < 500) return refusedPage(status, (err as Error).message, context)
    throw err
  }

  /** The challenge of this browser's verifier (the one it holds, or a new one set as its cookie). */
  function browserChallenge (request: FastifyRequest, reply: FastifyReply): string {
    const verifier = readVerifier(request) ?? newVerifier()
    setVerifier(reply, verifier)
    return challengeOf(verifier)
  }

  return {
    callbackUrl,
    /** Lifetime of login and sign-up links, minutes. */
    loginLinkMinutes: loginMinutes,

    // What the discovery login (plugins/app/discovery.ts) shares with this one: sealed link
    // contexts, the browser's PKCE verifier cookie, the pages and the redirect allow-list.
    landingUrl,
    openContext: (sealed: string | undefined): LinkContext | undefined => sealer.open(sealed),
    readVerifier,
    browserChallenge,
    clearVerifier,
    pageForFailure,
    /** Notes the new session's device and records its audit event (revoking the session when the event cannot be stored). */
    loggedIn,
    /** `next` when allow-listed (LOGIN_REDIRECT_URLS), else the first allowed target. */
    redirectTarget: (next: string | undefined): string => (next !== undefined && redirectTargets.includes(next) ? next : defaultTarget),

    /**
     * What an invite sends along: its lifetime, and a redirect URL whose landing page names the
     * organization and the invitee (an invite cannot carry PKCE: it is sent from the admin's browser).
     */
    inviteLink (organization: string, email: string): { invite_redirect_url: string, invite_expiration_minutes: number } {
      return {
        invite_redirect_url: landingUrl({ kind: 'invite', organization, email: email.toLowerCase(), pkce: false, expiresAt: Date.now() + inviteMinutes * 60_000 }),
        invite_expiration_minutes: inviteMinutes
      }
    },

    /**
     * Sends a login (or sign-up, if the organization allows it) link, with `pkce_code_challenge`
     * when given (every public send gives one; only the embedded dev login does not). Every answer
     * Stytch can give about the address itself — not a member, sign-up not allowed, invalid address
     * for this org — is swallowed, so the caller answers identically whether or not the email is a
     * member. Only an outage surfaces (as 503): a silent success would hide it from a legitimate user.
     */
    async sendLoginLink (input: { email_address: string, organization: string, pkce_code_challenge?: string | undefined }): Promise<void> {
      const redirectUrl = landingUrl({
        kind: 'login',
        organization: input.organization,
        email: input.email_address.toLowerCase(),
        pkce: input.pkce_code_challenge !== undefined,
        expiresAt: Date.now() + loginMinutes * 60_000
      })
      await fastify.stytch.call({ kind: 'read' }, () => client.magicLinks.email.loginOrSignup({
        organization_id: input.organization,
        email_address: input.email_address,
        login_redirect_url: redirectUrl,
        signup_redirect_url: redirectUrl,
        login_expiration_minutes: loginMinutes,
        signup_expiration_minutes: loginMinutes,
        ...(input.pkce_code_challenge === undefined ? {} : { pkce_code_challenge: input.pkce_code_challenge })
      }), { types: 'any-client-error', fallback: undefined })
    },

    /**
     * sendLoginMagicLink: with the client's own challenge as given; without one (a browser), with
     * the challenge of the verifier in this browser's cookie — the one it already holds, so every
     * link sent to it in the last minutes works, or a new one. Refused for a cross-site page, which
     * could otherwise make a browser hold a verifier for a link the attacker receives.
     */
    async send (request: FastifyRequest, reply: FastifyReply, body: SendBody): Promise<void> {
      if (!isTrustedOrNotBrowser(request.headers, config)) throw new OriginNotAllowedError()
      const challenge = body.pkce_code_challenge ?? browserChallenge(request, reply)
      await this.sendLoginLink({ email_address: body.email_address, organization: body.organization, pkce_code_challenge: challenge })
    },

    /** Whether a request is an HTML form post (answered with a page, not JSON). */
    isFormPost: (request: FastifyRequest): boolean => (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded'),

    /** The pages' "ask for a new link" form: the "check your email" page, or one saying to retry. */
    async sendFromForm (request: FastifyRequest, reply: FastifyReply, body: SendBody): Promise<Page> {
      try {
        await this.send(request, reply, body)
      } catch (err) {
        if (statusOf(err) === 503) return unavailablePage(undefined, RETRY_AFTER_SECONDS, { email: body.email_address, organization: body.organization })
        throw err
      }
      return linkSentPage({ email: body.email_address, organization: body.organization, minutes: loginMinutes })
    },

    /**
     * authenticateMagicLink (apps): the body's verifier if given, else this browser's cookie (then
     * cleared: a verifier completes one login).
     */
    async authenticate (request: FastifyRequest, reply: FastifyReply, body: { token: string, pkce_code_verifier?: string | undefined, delivery?: 'cookie' | 'body' | undefined }): Promise<LoginResult> {
      const cookie = body.pkce_code_verifier === undefined ? readVerifier(request) : undefined
      const verifier: Verifier = body.pkce_code_verifier !== undefined
        ? { value: body.pkce_code_verifier, from: 'client' }
        : cookie === undefined ? undefined : { value: cookie, from: 'cookie' }
      const { result, usedCookie } = await exchange(body.token, verifier)
      await loggedIn(request, result, body.delivery ?? 'cookie')
      if (usedCookie) clearVerifier(reply)
      return result
    },

    /** GET / HEAD of an emailed link: a page, never a login — nothing is spent, nothing is asked of Stytch. */
    landing (request: FastifyRequest, query: LandingQuery): Page {
      const context = sealer.open(query.context)
      if (query.token === undefined || !TOKEN.test(query.token)) return incompleteLinkPage(context)
      if (context !== undefined && context.expiresAt <= Date.now()) return expiredLinkPage(context)
      return confirmPage({
        link: { token: query.token, next: query.next, sealedContext: context === undefined ? undefined : query.context },
        context,
        hasVerifier: readVerifier(request) !== undefined
      })
    },

    /** onRequest of the confirmation POST: only this API's own page can submit it. */
    async assertSameOrigin (request: FastifyRequest): Promise<void> {
      if (!isSameOriginRequest(request.headers, config)) throw new OriginNotAllowedError()
    },

    /**
     * The confirmation POST: spends the token with this browser's verifier, sets the session
     * cookies and redirects to `next` if allow-listed (else the first LOGIN_REDIRECT_URLS); or a
     * page saying why not.
     */
    async confirm (request: FastifyRequest, reply: FastifyReply, body: ConfirmBody): Promise<LoginAnswer> {
      const context = sealer.open(body.context)
      const cookie = readVerifier(request)
      let outcome
      try {
        outcome = await exchange(body.token, cookie === undefined ? undefined : { value: cookie, from: 'cookie' })
        // A failed audit write is a 503, which the page below says: retry (the link is spent, though).
        await loggedIn(request, outcome.result, 'form')
      } catch (err) {
        return { page: pageForFailure(err, context, { token: body.token, next: body.next, sealedContext: context === undefined ? undefined : body.context }) }
      }
      sessions.setCookies(reply, { ...outcome.result, expires_at: outcome.result.context.session.expires_at })
      if (outcome.usedCookie) clearVerifier(reply)
      const next = body.next
      return { redirect: next !== undefined && redirectTargets.includes(next) ? next : defaultTarget }
    },

    /** Sends a page with its headers (type, no-store, its own CSP and referrer policy). */
    async sendPage (reply: FastifyReply, page: Page): Promise<FastifyReply> {
      void reply.code(page.statusCode).headers(headers)
      if (page.retryAfterSeconds !== undefined) void reply.header('retry-after', String(page.retryAfterSeconds))
      return await reply.send(page.html)
    },

    /** Sends the confirmation's answer: the redirect (303) or the page. */
    async answer (reply: FastifyReply, answer: LoginAnswer): Promise<FastifyReply> {
      return 'redirect' in answer ? await reply.redirect(answer.redirect, 303) : await this.sendPage(reply, answer.page)
    },

    /** Parses an HTML form body (application/x-www-form-urlencoded); a field sent twice becomes a list, which no schema accepts. */
    parseForm (_request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void): void {
      const fields: Record<string, string | string[]> = {}
      for (const [name, value] of new URLSearchParams(body)) {
        const seen = fields[name]
        fields[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]
      }
      done(null, fields)
    }
  }
}

export type LoginService = ReturnType<typeof createLoginService>

declare module 'fastify' {
  interface FastifyInstance {
    login: LoginService
  }
}

export default fp(async function login (fastify: FastifyInstance) {
  fastify.decorate('login', createLoginService(fastify))
}, { name: 'login', dependencies: ['stytch', 'sessions', 'audit', '@fastify/cookie'] })
