import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Static } from '@sinclair/typebox'
import type { MemberSession } from 'stytch'
import { decodeJwt } from 'jose'
import { cookieNames, cookieOptions, secondsUntil } from '../../src/auth/cookies.js'
import { stytchAuthorization, type Credentials } from '../../src/auth/credentials.js'
import { contextFromClaims, contextFromMemberSession, type AuthenticatedMember, type AuthenticatedSession, type SessionContext } from '../../src/auth/session-context.js'
import { assertSessionUsable, boundDuration, boundExpiry } from '../../src/auth/session-policy.js'
import { createSessionRefresher, type SessionCredential } from '../../src/auth/session-refresher.js'
import { CustomClaimsTooLargeError, NotFoundError, RateLimitedError } from '../../src/errors.js'
import { createSlowPathGuard } from '../../src/auth/slow-path-guard.js'
import { callStytch } from '../../src/stytch/errors.js'
import { CLIENT_CLAIMS_MAX_BYTES, type SessionListItemSchema } from '../../src/schemas/session.js'
import { parseUserAgent } from '../../src/devices/user-agent.js'
import type { SessionDevice } from '../../src/db/devices.js'

/** Response header carrying the fresh session JWT to bearer clients (documented in openapi.yaml). */
export const SESSION_JWT_HEADER = 'x-session-jwt'

/** A session Stytch vouched for just now, with the fresh JWT it minted. */
export interface ProvenSession { context: SessionContext, jwt: string, expiresAt: string }

type StytchAuthorization = ReturnType<typeof stytchAuthorization>
type SessionListItem = Static<typeof SessionListItemSchema>

/** Whose session a device row belongs to. */
export interface DeviceOwner { member_session_id: string, organization_id: string, member_id: string }

/**
 * A session's device row is rewritten at most this often (unless its IP or user agent changed):
 * a burst of slow-path requests of one session costs one write. The fast path never writes at all,
 * so `last_seen` is as fresh as the last login, slow path or refresh (at worst JWT_MAX_AGE_SECONDS
 * plus this, for an active session).
 */
export const DEVICE_TOUCH_INTERVAL_MS = 60_000
/** Sessions whose last device write this instance remembers (oldest forgotten first). */
const MAX_TOUCHED_SESSIONS = 10_000
/** How often the global prune of device rows older than the longest session runs (per instance). */
const DEVICE_PRUNE_INTERVAL_MS = 60 * 60 * 1000

/** The owner of a session JWT Stytch just handed us (decoded, not verified: it did not come from a client). */
function ownerOfFreshJwt (jwt: string): DeviceOwner | null {
  let context: SessionContext | null
  try {
    context = contextFromClaims(decodeJwt(jwt))
  } catch {
    return null
  }
  return context === null ? null : ownerOf(context)
}

const ownerOf = (context: SessionContext): DeviceOwner => ({
  member_session_id: context.session.member_session_id,
  organization_id: context.member.organization_id,
  member_id: context.member.member_id
})

/** The device as the session list shows it: only what is known. */
function deviceView (device: SessionDevice): SessionListItem['device'] {
  return {
    ...(device.ip === null ? {} : { ip: device.ip }),
    ...(device.user_agent === null ? {} : { user_agent: device.user_agent }),
    ...(device.browser === null ? {} : { browser: device.browser }),
    ...(device.os === null ? {} : { os: device.os }),
    first_seen: device.first_seen,
    last_seen: device.last_seen
  }
}

/**
 * Revokes one request makes at once: at most 8, and at most half the bulkhead's slots. All at once,
 * a member with more sessions than the bulkhead's slots and queue (64 + 64) filled it alone: the
 * revoke-all answered 503 `identity_provider_busy` however often it was retried, and every other
 * request waiting on Stytch meanwhile got the same 503 (found by the fuzz).
 */
const revokeConcurrency = (maxConcurrent: number): number => Math.max(1, Math.min(8, Math.floor(maxConcurrent / 2)))

/** Runs fn over items, at most `limit` at a time; stops starting new ones after the first failure, which it rethrows. */
async function eachLimited<T> (items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T
      try {
        await fn(item)
      } catch (err) {
        failed = true
        throw err
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * The session service (`fastify.sessions`): everything the API does with Stytch sessions, in one
 * place, with the one Stytch → API error translation (src/stytch/errors.ts). The auth hook uses it
 * for the slow path; routes call it instead of the SDK, so their handlers are straight-line code.
 */
function createSessionService (fastify: FastifyInstance) {
  const { config, revocations, devices } = fastify
  const { stytch } = fastify
  const { client } = stytch
  const names = cookieNames(config)
  const cookieBase = cookieOptions(config)
  const refresher = createSessionRefresher({ client, sessionDurationMinutes: config.SESSION_DURATION_MINUTES, run: stytch.run, onShare: fastify.obs.sharing })
  const guard = createSlowPathGuard({
    rejectedTtlMs: config.REJECTED_CREDENTIAL_CACHE_SECONDS * 1000,
    maxRejected: 10_000,
    rejectionsPerIp: config.SLOW_PATH_REJECTIONS_PER_IP,
    windowMs: config.SLOW_PATH_WINDOW_SECONDS * 1000,
    maxClients: 10_000
  })

  const touched = new Map<string, { at: number, fingerprint: string }>()
  let lastPrune = 0
  const maxSessionSeconds = config.SESSION_MAX_LIFETIME_MINUTES * 60

  /**
   * Writes the device of a session minted or proven during this request (see `noteDevice`), from
   * the request's IP and User-Agent. A failure is logged, never the request's: the device is a
   * convenience of the session list, the login itself succeeded.
   */
  async function recordDevice (request: FastifyRequest, owner: DeviceOwner): Promise<void> {
    const parsed = parseUserAgent(request.headers['user-agent'])
    const fingerprint = `${request.ip}\n${parsed.user_agent ?? ''}`
    const now = Date.now()
    const last = touched.get(owner.member_session_id)
    if (last !== undefined && now - last.at < DEVICE_TOUCH_INTERVAL_MS && last.fingerprint === fingerprint) return
    try {
      await devices.seen({ ...owner, ip: request.ip, ...parsed })
    } catch (err) {
      request.log.warn({ message: (err as Error).message }, 'session device not recorded')
      return
    }
    touched.delete(owner.member_session_id)
    if (touched.size >= MAX_TOUCHED_SESSIONS) touched.delete(touched.keys().next().value as string)
    touched.set(owner.member_session_id, { at: now, fingerprint })
  }

  /** Device rows are housekeeping: a failure to delete one is logged (listing prunes it later). */
  async function forgetDevices (fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn()
    } catch (err) {
      fastify.log.warn({ message: (err as Error).message }, 'session devices not deleted')
    }
  }

  /** Stytch's session, once it passed what every session must also satisfy here. */
  function usable (memberSession: MemberSession, emailAddress?: string): SessionContext {
    const context = contextFromMemberSession(memberSession, emailAddress)
    assertSessionUsable(context, revocations, config)
    return boundExpiry(context, config)
  }

  /**
   * Puts sessions on the revocation list, so their JWTs — which Stytch's own design keeps valid
   * until `exp` — stop working here, on every instance, at once. An entry lives as long as the
   * longest JWT this API would still accept for the session (max token age plus clock tolerance).
   */
  async function markRevoked (sessionIds: string[]): Promise<void> {
    const until = Date.now() + (config.JWT_MAX_AGE_SECONDS + config.JWT_CLOCK_TOLERANCE_SECONDS) * 1000
    await Promise.all(sessionIds.map(async (id) => { await revocations.revoke(id, until) }))
    for (const id of sessionIds) touched.delete(id)
    await forgetDevices(() => devices.forget(sessionIds))
  }

  /**
   * Marks the request as having minted or proven `owner`'s session: its device is written before
   * the reply goes out (the onSend hook below), if the reply is a success. Every way a session
   * reaches a client passes here — setCookies, deliver, refresh and the login service's body delivery.
   */
  function noteDevice (request: FastifyRequest, owner: DeviceOwner | null): void {
    if (owner !== null) request.sessionDevice = owner
  }

  /** Revokes one session at Stytch (already gone there counts as done) and here. */
  async function revoke (memberSessionId: string): Promise<void> {
    await stytch.call({ kind: 'read' }, () => client.sessions.revoke({ member_session_id: memberSessionId }), { types: ['session_not_found'], fallback: undefined })
    await markRevoked([memberSessionId])
  }

  /** The member's sessions at Stytch ([] when the member is unknown), minus those revoked here. */
  async function liveSessions (organizationId: string, memberId: string): Promise<MemberSession[]> {
    const list = await stytch.call({ kind: 'read' }, async () =>
      (await client.sessions.get({ organization_id: organizationId, member_id: memberId })).member_sessions,
    { types: ['member_not_found'], fallback: [] })
    return list.filter((s) => !revocations.isRevoked(s.member_session_id))
  }

  return {
    names,

    recordDevice,
    noteDevice,

    /**
     * Sets the session cookies (any login, any refresh of a cookie client) — and so records the
     * session's device: every session handed to a browser passes here.
     */
    setCookies (reply: FastifyReply, tokens: { session_token: string, session_jwt: string, expires_at: string }): void {
      noteDevice(reply.request, ownerOfFreshJwt(tokens.session_jwt))
      // Both live as long as the session: the JWT inside expires sooner, but its cookie must
      // outlive it so an expired JWT can be swapped for a fresh one on the slow path.
      const options = { ...cookieBase, maxAge: secondsUntil(tokens.expires_at, Date.now()) }
      void reply.header('cache-control', 'no-store')
      void reply.setCookie(names.session, tokens.session_token, options)
      void reply.setCookie(names.jwt, tokens.session_jwt, options)
    },

    clearCookies (reply: FastifyReply): void {
      void reply.header('cache-control', 'no-store')
      void reply.clearCookie(names.session, cookieBase)
      void reply.clearCookie(names.jwt, cookieBase)
    },

    /**
     * Hands a freshly minted session JWT back the way the client sent its credentials: cookie
     * clients get both cookies rewritten (Max-Age following the possibly extended session), bearer
     * clients get the X-Session-JWT header.
     */
    deliver (reply: FastifyReply, credentials: Credentials, proven: ProvenSession): void {
      noteDevice(reply.request, ownerOf(proven.context))
      if (credentials.via === 'cookie' && credentials.sessionToken !== undefined) {
        this.setCookies(reply, { session_token: credentials.sessionToken, session_jwt: proven.jwt, expires_at: proven.expiresAt })
      } else {
        void reply.header(SESSION_JWT_HEADER, proven.jwt)
      }
    },

    /** The credentials Stytch must see to authorize a call as the request's member. */
    authorizationOf: (request: FastifyRequest): StytchAuthorization => stytchAuthorization(request.credentials),

    /**
     * The slow path: asks Stytch whether the session is alive (sliding expiry). Concurrent requests
     * with the same credential share one call, and a success is reused for a few seconds — but not
     * while the revocation list is unhealthy, nor with `fresh`: then only Stytch's answer of now decides.
     *
     * With `ip` (credentials not proven locally: a bare token, an expired JWT), the flood guard
     * applies first: a credential Stytch rejected recently is refused without a call, and each
     * client address has a budget of calls that end in a rejection (429 once it is spent).
     */
    async authenticate (credential: SessionCredential, { fresh = false, ip }: { fresh?: boolean, ip?: string } = {}): Promise<ProvenSession> {
      const key = 'session_token' in credential ? credential.session_token : credential.session_jwt
      const known = guard.knownRejection(key)
      if (known !== undefined) throw known
      if (ip !== undefined) {
        const budget = guard.take(ip)
        if (!budget.ok) throw Object.assign(new RateLimitedError(String(budget.retryAfterSeconds)), { retryAfterSeconds: budget.retryAfterSeconds })
      }
      let response
      try {
        // The refresher runs its upstream calls through the bulkhead itself (joined calls take no slot).
        response = await callStytch({ kind: 'session', proven: ip === undefined }, () => refresher.authenticate(credential, { shared: !fresh && revocations.healthy }))
      } catch (err) {
        // Only Stytch's verdict on the credential is remembered and charged; an outage is not.
        if ((err as { statusCode?: number }).statusCode === 401) guard.rememberRejection(key, err as Error)
        else if (ip !== undefined) guard.refund(ip)
        throw err
      }
      if (ip !== undefined) guard.refund(ip)
      const context = usable(response.member_session, response.member.email_address)
      return { context, jwt: response.session_jwt, expiresAt: context.session.expires_at }
    },

    /** Bearer clients: a session token for a fresh JWT (and the device seen again). */
    async refresh (request: FastifyRequest, sessionToken: string): Promise<{ session_jwt: string, session: AuthenticatedSession }> {
      const proven = await this.authenticate({ session_token: sessionToken }, { ip: request.ip })
      noteDevice(request, ownerOf(proven.context))
      return { session_jwt: proven.jwt, session: proven.context.session }
    },

    /** Extends the session and/or merges client custom claims (already allow-listed by the schema). */
    async update (current: SessionContext, credentials: Credentials, change: { session_duration_minutes?: number, custom_claims?: Record<string, unknown> }): Promise<ProvenSession> {
      const claims = change.custom_claims
      if (claims !== undefined && Buffer.byteLength(JSON.stringify(claims)) > CLIENT_CLAIMS_MAX_BYTES) {
        throw new CustomClaimsTooLargeError(String(CLIENT_CLAIMS_MAX_BYTES))
      }
      const response = await stytch.call({ kind: 'session-update' }, () => client.sessions.authenticate({
        ...(credentials.sessionToken !== undefined ? { session_token: credentials.sessionToken } : { session_jwt: credentials.jwt as string }),
        ...(change.session_duration_minutes === undefined ? {} : { session_duration_minutes: boundDuration(change.session_duration_minutes, current, config) }),
        ...(claims === undefined ? {} : { session_custom_claims: claims })
      }))
      const context = usable(response.member_session, response.member.email_address)
      return { context, jwt: response.session_jwt, expiresAt: context.session.expires_at }
    },

    liveSessions,
    revoke,

    /**
     * The member's own live sessions, marking the one this request is authenticated with, each with
     * its device where known. Device rows of sessions no longer live are pruned on the way. Without
     * the database, the list comes without devices (logged): a member must still see, and be able
     * to revoke, a stolen session during a database outage.
     */
    async listOwn (context: SessionContext): Promise<SessionListItem[]> {
      const { organization_id: organizationId, member_id: memberId } = context.member
      const list = await liveSessions(organizationId, memberId)
      let known = new Map<string, SessionDevice>()
      try {
        known = await devices.forSessions(organizationId, memberId, list.map((s) => s.member_session_id), maxSessionSeconds)
      } catch (err) {
        fastify.log.warn({ message: (err as Error).message }, 'session devices not read')
      }
      if (Date.now() - lastPrune > DEVICE_PRUNE_INTERVAL_MS) {
        lastPrune = Date.now()
        void forgetDevices(() => devices.prune(maxSessionSeconds))
      }
      return list.map((s) => {
        const { session } = contextFromMemberSession(s)
        const device = known.get(s.member_session_id)
        return {
          ...(device === undefined ? {} : { device: deviceView(device) }),
          member_session_id: session.member_session_id,
          started_at: session.started_at,
          last_accessed_at: session.last_accessed_at,
          expires_at: session.expires_at,
          authentication_factors: session.authentication_factors,
          current: s.member_session_id === context.session.member_session_id
        }
      })
    },

    markRevoked,

    /** Forgets every device row of a member (removed from the organization). */
    forgetMemberDevices: async (organizationId: string, memberId: string): Promise<void> => { await forgetDevices(() => devices.forgetMember(organizationId, memberId)) },

    /** Revokes one of the member's own sessions; another member's session id is a 404. */
    async revokeOwn (member: AuthenticatedMember, sessionId: string): Promise<void> {
      const mine = await liveSessions(member.organization_id, member.member_id)
      if (!mine.some((s) => s.member_session_id === sessionId)) throw new NotFoundError('Session')
      await revoke(sessionId)
    },

    /** Revokes every session of the member (but the current one with `keepCurrent`); the count. */
    async revokeAllOwn (context: SessionContext, keepCurrent: boolean): Promise<number> {
      const current = context.session.member_session_id
      const targets = (await liveSessions(context.member.organization_id, context.member.member_id))
        .map((s) => s.member_session_id)
        .filter((id) => !(keepCurrent && id === current))
      if (!keepCurrent && !targets.includes(current)) targets.push(current)
      await eachLimited(targets, revokeConcurrency(config.STYTCH_MAX_CONCURRENT), revoke)
      return targets.length
    },

    /**
     * Revokes every session of a member at Stytch and here; the count. With `authorization`,
     * Stytch checks that the acting member may (`revoke-sessions` on `stytch.member`); without it
     * the API acts itself (e.g. as a consequence of a role downgrade it already authorized).
     */
    async revokeMember (organizationId: string, memberId: string, authorization?: StytchAuthorization): Promise<number> {
      const ids = (await liveSessions(organizationId, memberId)).map((s) => s.member_session_id)
      await stytch.call({ kind: 'manage', action: 'revoke-sessions', resource: 'stytch.member' },
        () => client.sessions.revoke({ member_id: memberId }, authorization === undefined ? undefined : { authorization }))
      await markRevoked(ids)
      return ids.length
    }
  }
}

export type SessionService = ReturnType<typeof createSessionService>

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionService
  }
  interface FastifyRequest {
    /** A session this request minted or proved with Stytch, whose device is recorded before the reply (sessions.noteDevice). */
    sessionDevice: DeviceOwner | null
  }
}

export default fp(async function sessions (fastify: FastifyInstance) {
  const service = createSessionService(fastify)
  fastify.decorate('sessions', service)
  fastify.decorateRequest('sessionDevice', null)
  // Before the reply goes out, so a client that lists its sessions right after logging in sees the
  // device. Callback style: the (vast) majority of requests, which minted nothing, cost no promise.
  fastify.addHook('onSend', function recordSessionDevice (request, reply, payload, done) {
    const owner = request.sessionDevice
    if (owner === null || reply.statusCode >= 400) {
      done(null, payload)
      return
    }
    service.recordDevice(request, owner).then(() => { done(null, payload) }, () => { done(null, payload) })
  })
}, { name: 'sessions', dependencies: ['stytch', 'revocation', 'db', '@fastify/cookie'] })
