import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { readCredentials, unverifiedSessionId, type Credentials } from '../../src/auth/credentials.js'
import { createJwtVerifier, type JwtVerdict } from '../../src/auth/jwt-verifier.js'
import { isAllowedOrigin } from '../../src/auth/origin.js'
import type { AuthenticatedMember, AuthenticatedOrganization, AuthenticatedSession, SessionContext } from '../../src/auth/session-context.js'
import { assertSessionUsable } from '../../src/auth/session-policy.js'
import type { SessionCredential } from '../../src/auth/session-refresher.js'
import { AmbiguousCredentialsError, InvalidCredentialsError, MissingCredentialsError, OriginNotAllowedError, ReauthenticationRequiredError, SessionExpiredError, UpstreamUnavailableError } from '../../src/errors.js'
import type { ProvenSession } from './sessions.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route needs an authenticated member (the auth hook runs before anything else). A
     * `permission` implies it. `'optional'`: the same authentication when credentials are sent,
     * but a request without a usable session goes on anonymously (`request.authFailure` says why).
     */
    auth?: boolean | 'optional'
    /** The route is deliberately public. Every /v1 route must say `auth`, `permission` or `public`. */
    public?: boolean
    /**
     * The route needs a session confirmed by Stytch on this request, not a JWT alone (a session
     * revoked in Stytch's dashboard stays valid as a JWT until it expires); with
     * `maxAuthAgeMinutes`, also an authentication at most that old (else 401
     * `reauthentication_required`). Implies `auth`.
     */
    sensitive?: true | { maxAuthAgeMinutes: number }
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
    /** Whether Stytch vouched for the session during this request (the slow path), or only its JWT. */
    confirmedByStytch: boolean
    /** Routes with `auth: 'optional'`: the error code that kept the sent credentials from authenticating; null otherwise. */
    authFailure: string | null
    /** Metrics: which path decided (`slow` once Stytch was asked). */
    authPath: 'fast' | 'slow'
  }
}

/** Whether a route's declaration asks for authentication: `auth: true`, or any `permission`. */
export const requiresAuth = (config: { auth?: boolean | 'optional', permission?: unknown, sensitive?: unknown } | undefined): boolean =>
  config?.auth === true || config?.permission !== undefined || config?.sensitive !== undefined

/** Node keeps only the first Authorization header; the raw list tells whether there were more. */
function countAuthorizationHeaders (raw: string[]): number {
  let count = 0
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).length === 13 && (raw[i] as string).toLowerCase() === 'authorization') count++
  return count
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const toArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/**
 * Authenticates requests to routes that declare `config.auth` (or a `permission`):
 * 1. fast path — the session JWT verified locally (src/auth/jwt-verifier.ts), plus the revocation
 *    list and the absolute lifetime; no network call;
 * 2. slow path — only when the JWT is missing, expired, too old or signed by a key not checkable
 *    yet (then even without a session token), and a session token is present (or the revocation
 *    list is unhealthy): the session
 *    service's remote authenticate (plugins/app/sessions.ts), and the fresh JWT goes back as a
 *    cookie or in the X-Session-JWT header;
 * 3. a JWT that fails any other check is rejected with 401 here, without asking Stytch;
 *    a Stytch outage on the slow path is a 503 (cookies kept), never a 401.
 */
export default fp(async function auth (fastify: FastifyInstance) {
  const { config, revocations, sessions } = fastify
  // Metrics (plugins/external/metrics.ts); a bare test app without them counts nothing.
  const obs: Pick<typeof fastify.obs, 'auth'> = fastify.hasDecorator('obs') ? fastify.obs : { auth () {} }
  const verifier = createJwtVerifier({
    jwks: fastify.stytch.jwks,
    projectId: config.STYTCH_PROJECT_ID as string,
    clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
    maxTokenAgeSeconds: config.JWT_MAX_AGE_SECONDS,
    cacheSize: config.JWT_CACHE_ENTRIES
  })

  fastify.decorateRequest('member', null)
  fastify.decorateRequest('organization', null)
  fastify.decorateRequest('session', null)
  fastify.decorateRequest('credentials', null)
  fastify.decorateRequest('sessionContext', null)
  fastify.decorateRequest('confirmedByStytch', false)
  fastify.decorateRequest('authFailure', null)
  fastify.decorateRequest('authPath', 'fast')
  fastify.decorateRequest('requireAuth', function (this: FastifyRequest): SessionContext {
    if (this.sessionContext === null) throw new MissingCredentialsError()
    return this.sessionContext
  })

  // The hook is attached to the routes that need it only: other routes pay nothing for it.
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const needsAuth = requiresAuth(route.config)
    if (route.config?.auth === 'optional' && !needsAuth) {
      route.onRequest = [...toArray(route.onRequest), optionalAuthenticateHook]
      return
    }
    if (route.url.startsWith('/v1/') && !needsAuth && route.config?.public !== true) {
      throw new Error(`route ${String(route.method)} ${route.url} must declare config.auth, config.permission or config.public`)
    }
    if (!needsAuth) return
    const sensitive = route.config?.sensitive
    route.onRequest = [...toArray(route.onRequest), authenticateHook]
    // Confirmed with Stytch after the local RBAC check (onRequest) and after validation (preHandler):
    // a request that is denied or malformed anyway costs no Stytch call. The rbac plugin checks
    // again after this, on the roles Stytch answered with.
    if (sensitive !== undefined) route.preHandler = [...toArray(route.preHandler), confirmHook(sensitive === true ? undefined : sensitive.maxAuthAgeMinutes)]
  })

  /** Sensitive routes: the session is confirmed by Stytch now, and (optionally) recently authenticated. */
  function confirmHook (maxAuthAgeMinutes: number | undefined) {
    return async function confirmWithStytch (request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const credentials = request.credentials as Credentials
      if (!request.confirmedByStytch) {
        const credential = credentials.sessionToken === undefined ? { session_jwt: credentials.jwt as string } : { session_token: credentials.sessionToken }
        await viaStytch(request, reply, credentials, credential, { fresh: true })
      }
      if (maxAuthAgeMinutes !== undefined) {
        const { session } = request.requireAuth()
        const last = Math.max(...session.authentication_factors.map((f) => Date.parse(f.last_authenticated_at)).filter((t) => !Number.isNaN(t)))
        if (!(Date.now() - last <= maxAuthAgeMinutes * 60_000)) throw new ReauthenticationRequiredError(String(maxAuthAgeMinutes))
      }
    }
  }

  function accept (request: FastifyRequest, reply: FastifyReply, credentials: Credentials, context: SessionContext): void {
    try {
      assertSessionUsable(context, revocations, config)
    } catch (err) {
      if (credentials.via === 'cookie') sessions.clearCookies(reply)
      throw err
    }
    // Per-user answers must never be stored by a shared cache (or the browser's back-forward cache).
    void reply.header('cache-control', 'no-store')
    request.sessionContext = context
    request.member = context.member
    request.organization = context.organization
    request.session = context.session
  }

  async function viaStytch (request: FastifyRequest, reply: FastifyReply, credentials: Credentials, credential: SessionCredential, options: { fresh?: boolean, ip?: string } = {}): Promise<void> {
    let proven: ProvenSession
    request.authPath = 'slow'
    try {
      proven = await sessions.authenticate(credential, options)
    } catch (err) {
      // A 401 from Stytch's answer ends the browser's session; an outage (503) keeps the cookies.
      if (credentials.via === 'cookie' && (err as { statusCode?: number }).statusCode === 401) sessions.clearCookies(reply)
      throw err
    }
    // A JWT cookie of one session beside a token cookie of another (cookie tossing): whichever
    // Stytch vouched for, the request does not say who it is.
    if (credentials.jwt !== undefined && 'session_token' in credential && unverifiedSessionId(credentials.jwt) !== proven.context.session.member_session_id) {
      if (credentials.via === 'cookie') sessions.clearCookies(reply)
      throw new AmbiguousCredentialsError()
    }
    accept(request, reply, credentials, proven.context)
    request.confirmedByStytch = true
    sessions.deliver(reply, credentials, proven)
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
      refused(request, err)
      done(err as Error)
      return
    }
    if (pending === undefined) {
      obs.auth(request.authPath, 'accepted')
      done()
    } else {
      pending.then(() => {
        obs.auth(request.authPath, 'accepted')
        done()
      }, (err: Error) => {
        refused(request, err)
        done(err)
      })
    }
  }

  /** Metrics: the refusal's code (a bounded set: the API's error codes). */
  function refused (request: FastifyRequest, err: unknown): void {
    const code = (err as { code?: unknown }).code
    obs.auth(request.authPath, typeof code === 'string' ? code.toLowerCase() : 'error')
  }

  /**
   * `auth: 'optional'`: the normal authentication, but its refusal is not the answer. No
   * credentials: anonymous; refused ones (401, a flood-guard 429) or Stytch unreachable (503):
   * anonymous too, with the reason in `request.authFailure`.
   */
  async function optionalAuthenticateHook (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      await authenticate(request, reply)
      if (request.sessionContext !== null) obs.auth(request.authPath, 'accepted')
    } catch (err) {
      if (!(err instanceof MissingCredentialsError)) refused(request, err)
      request.sessionContext = null
      request.member = null
      request.organization = null
      request.session = null
      if (err instanceof MissingCredentialsError) return
      const { statusCode, code } = err as { statusCode?: number, code?: string }
      if (statusCode === undefined || ![401, 403, 429, 503].includes(statusCode)) throw err
      request.authFailure = code?.toLowerCase() ?? 'invalid_credentials'
    }
  }

  function authenticate (request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
    const { headers } = request
    const credentials = readCredentials({
      authorization: headers.authorization,
      authorizationCount: headers.authorization === undefined ? 0 : countAuthorizationHeaders(request.raw.rawHeaders),
      cookieHeader: headers.cookie,
      cookies: request.cookies
    }, sessions.names)
    if (credentials === 'missing') throw new MissingCredentialsError()
    if (credentials === 'malformed') throw new InvalidCredentialsError()
    if (credentials === 'ambiguous') throw new AmbiguousCredentialsError()
    if (credentials.via === 'cookie' && UNSAFE_METHODS.has(request.method) && !isAllowedOrigin(request.headers, config)) {
      throw new OriginNotAllowedError()
    }
    request.credentials = credentials
    if (credentials.jwt === undefined) return viaStytch(request, reply, credentials, { session_token: credentials.sessionToken as string }, { ip: request.ip })
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
    if (verdict.reason === 'unknown_key') {
      // Signed by a key this instance cannot check yet (a rotation in progress): never a 401 by
      // itself. Stytch decides — with the token, or the JWT itself within the verifier's budget —
      // else 503 until the key set may be fetched again (cookies kept).
      if (credentials.sessionToken !== undefined) return viaStytch(request, reply, credentials, { session_token: credentials.sessionToken }, { ip: request.ip })
      if (verdict.askStytch) return viaStytch(request, reply, credentials, { session_jwt: jwt }, { ip: request.ip })
      throw Object.assign(new UpstreamUnavailableError(), { retryAfterSeconds: verdict.retryAfterSeconds })
    }
    if (verdict.reason === 'invalid' || credentials.sessionToken === undefined) {
      if (credentials.via === 'cookie' && verdict.reason !== 'invalid') sessions.clearCookies(reply)
      throw verdict.reason === 'expired' || verdict.reason === 'too_old' ? new SessionExpiredError() : new InvalidCredentialsError()
    }
    return viaStytch(request, reply, credentials, { session_token: credentials.sessionToken }, { ip: request.ip })
  }
}, { name: 'auth', dependencies: ['stytch', 'revocation', 'sessions', '@fastify/cookie'] })
