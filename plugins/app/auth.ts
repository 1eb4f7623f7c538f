import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { StytchError } from 'stytch'
import { clearSessionCookies, cookieNames } from '../../src/auth/cookies.js'
import { deliverFreshJwt } from '../../src/auth/deliver.js'
import { readCredentials, type Credentials } from '../../src/auth/credentials.js'
import type { JwtVerdict } from '../../src/auth/jwt-verifier.js'
import { assertSessionUsable } from '../../src/auth/session-policy.js'
import type { SessionCredential } from '../../src/auth/session-refresher.js'
import { isAllowedOrigin } from '../../src/auth/origin.js'
import { contextFromMemberSession, type AuthenticatedMember, type AuthenticatedOrganization, type AuthenticatedSession, type SessionContext } from '../../src/auth/session-context.js'
import {
  InvalidCredentialsError, MissingCredentialsError, OriginNotAllowedError, SessionExpiredError, SessionRevokedError
} from '../../src/errors.js'
import { isUpstreamOutage, toUpstreamError } from '../../src/stytch/errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs an authenticated member (the auth hook runs before anything else). */
    auth?: boolean
    /** The route is deliberately public. Every /v1 route must say `auth` or `public`. */
    public?: boolean
  }
  interface FastifyRequest {
    member: AuthenticatedMember | null
    organization: AuthenticatedOrganization | null
    session: AuthenticatedSession | null
    /** How the request was authenticated; null on public routes. */
    credentials: Credentials | null
    /** member, organization and session together; null on public routes. */
    sessionContext: SessionContext | null
    /** The authenticated context; throws 401 when the route did not authenticate. */
    requireAuth: () => SessionContext
  }
}

const toArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])


const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Authenticates requests to routes that declare `config.auth`:
 * 1. fast path — the session JWT verified locally (see src/auth/jwt-verifier.ts), plus the
 *    revocation list; no network call;
 * 2. slow path — only when the JWT is missing, expired, too old or signed by an unknown key, and a
 *    session token is present: one single-flight `sessions.authenticate` (sliding expiry), and the
 *    fresh JWT goes back as a cookie or in the X-Session-JWT header;
 * 3. a JWT that fails any other check is rejected with 401 here, without asking Stytch;
 *    a Stytch outage on the slow path is a 503 (cookies kept), never a 401.
 */
export default fp(async function auth (fastify: FastifyInstance) {
  const { config } = fastify
  const names = cookieNames(config)
  const { verifier, refresher } = fastify.stytch
  const { revocations } = fastify

  fastify.decorateRequest('member', null)
  fastify.decorateRequest('organization', null)
  fastify.decorateRequest('session', null)
  fastify.decorateRequest('credentials', null)
  fastify.decorateRequest('sessionContext', null)
  fastify.decorateRequest('requireAuth', function (this: FastifyRequest): SessionContext {
    if (this.sessionContext === null) throw new MissingCredentialsError()
    return this.sessionContext
  })

  // The hook is attached to the routes that declare `auth` only: other routes pay nothing for it.
  fastify.addHook('onRoute', (route) => {
    const routeConfig = route.config as { auth?: boolean, public?: boolean } | undefined
    if (route.url.startsWith('/v1/') && routeConfig?.auth !== true && routeConfig?.public !== true) {
      throw new Error(`route ${String(route.method)} ${route.url} must declare config.auth or config.public`)
    }
    if (routeConfig?.auth === true) route.onRequest = [...toArray(route.onRequest), authenticateHook]
  })

  function accept (request: FastifyRequest, reply: FastifyReply, credentials: Credentials, context: SessionContext): void {
    try {
      assertSessionUsable(context, revocations, config)
    } catch (err) {
      if (credentials.via === 'cookie') clearSessionCookies(reply, config)
      throw err
    }
    request.sessionContext = context
    request.member = context.member
    request.organization = context.organization
    request.session = context.session
  }

  async function viaStytch (request: FastifyRequest, reply: FastifyReply, credentials: Credentials, credential: SessionCredential): Promise<void> {
    let response
    try {
      response = await refresher.authenticate(credential)
    } catch (err) {
      if (isUpstreamOutage(err)) {
        request.log.warn({ err: { type: (err as Error).name, message: (err as Error).message.slice(0, 200) } }, 'Stytch unavailable on the slow path')
        throw toUpstreamError(err)
      }
      if (credentials.via === 'cookie') clearSessionCookies(reply, config)
      if (err instanceof StytchError && err.error_type === 'session_not_found') throw new SessionRevokedError()
      throw new InvalidCredentialsError()
    }
    const context = contextFromMemberSession(response.member_session, response.member.email_address)
    accept(request, reply, credentials, context)
    deliverFreshJwt(reply, config, credentials, response.session_jwt, response.member_session.expires_at)
  }

  /**
   * The route hook, callback style: a remembered JWT (the common case) is settled synchronously,
   * without a promise per request; only signature checks and Stytch calls go async.
   */
  function authenticateHook (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    let pending: Promise<void> | undefined
    try {
      pending = authenticate(request, reply)
    } catch (err) {
      done(err as Error)
      return
    }
    if (pending === undefined) done()
    else pending.then(() => done(), done)
  }

  function authenticate (request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
    const credentials = readCredentials(request, names)
    if (credentials === 'missing') throw new MissingCredentialsError()
    if (credentials === 'malformed') throw new InvalidCredentialsError()
    if (credentials.via === 'cookie' && UNSAFE_METHODS.has(request.method) && !isAllowedOrigin(request, config)) {
      throw new OriginNotAllowedError()
    }
    request.credentials = credentials
    if (credentials.jwt === undefined) return viaStytch(request, reply, credentials, { session_token: credentials.sessionToken as string })
    const verdict = verifier.verify(credentials.jwt)
    return verdict instanceof Promise
      ? verdict.then((settled) => afterVerdict(request, reply, credentials, settled))
      : afterVerdict(request, reply, credentials, verdict)
  }

  function afterVerdict (request: FastifyRequest, reply: FastifyReply, credentials: Credentials, verdict: JwtVerdict): Promise<void> | undefined {
    const jwt = credentials.jwt as string
    if (verdict.ok) {
      if (revocations.healthy) {
        accept(request, reply, credentials, verdict.context)
        return undefined
      }
      // Fail closed: while the shared revocation list is unreachable, another instance's revoke
      // could be missed, so Stytch is asked (with the token, or the JWT itself if that is all).
      const credential = credentials.sessionToken === undefined ? { session_jwt: jwt } : { session_token: credentials.sessionToken }
      return viaStytch(request, reply, credentials, credential)
    }
    if (verdict.reason === 'invalid' || credentials.sessionToken === undefined) {
      if (credentials.via === 'cookie' && verdict.reason !== 'invalid') clearSessionCookies(reply, config)
      throw verdict.reason === 'expired' || verdict.reason === 'too_old' ? new SessionExpiredError() : new InvalidCredentialsError()
    }
    return viaStytch(request, reply, credentials, { session_token: credentials.sessionToken })
  }

}, { name: 'auth', dependencies: ['stytch', 'revocation', '@fastify/cookie'] })

