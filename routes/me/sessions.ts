import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { clearSessionCookies } from '../../src/auth/cookies.js'
import { deliverFreshJwt } from '../../src/auth/deliver.js'
import { revokeSession } from '../../src/auth/revoke.js'
import { contextFromMemberSession } from '../../src/auth/session-context.js'
import { assertSessionUsable } from '../../src/auth/session-policy.js'
import { BadRequestError, CustomClaimsTooLargeError, NotFoundError, SessionRevokedError } from '../../src/errors.js'
import { AUTHENTICATED, errorResponses } from '../../src/openapi/route-helpers.js'
import { SessionIdParamsSchema } from '../../src/schemas/primitives.js'
import {
  CLIENT_CLAIMS_MAX_BYTES, RevokeAllBodySchema, RevokedCountSchema, SessionListSchema, SessionViewSchema, UpdateSessionBodySchema
} from '../../src/schemas/session.js'
import { isUpstreamOutage, stytchErrorType, toUpstreamError } from '../../src/stytch/errors.js'

const sessions: FastifyPluginAsyncTypebox = async (fastify) => {
  const { client } = fastify.stytch

  /** The member's live sessions at Stytch, minus those this API already revoked. */
  async function liveSessions (organizationId: string, memberId: string) {
    try {
      const { member_sessions: list } = await client.sessions.get({ organization_id: organizationId, member_id: memberId })
      return list.filter((s) => !fastify.revocations.isRevoked(s.member_session_id))
    } catch (err) {
      throw toUpstreamError(err)
    }
  }

  fastify.get('/v1/me/sessions', {
    config: { auth: true },
    schema: {
      tags: ['sessions'],
      operationId: 'listSessions',
      summary: 'My active sessions (devices)',
      description: 'Every active session of the member, with which one made this request.',
      security: AUTHENTICATED,
      response: { 200: Type.Ref(SessionListSchema), ...errorResponses(401, 503) }
    }
  }, async (request) => {
    const { member, session } = request.requireAuth()
    const list = await liveSessions(member.organization_id, member.member_id)
    return {
      sessions: list.map((s) => {
        const view = contextFromMemberSession(s).session
        return {
          member_session_id: view.member_session_id,
          started_at: view.started_at,
          last_accessed_at: view.last_accessed_at,
          expires_at: view.expires_at,
          authentication_factors: view.authentication_factors,
          current: s.member_session_id === session.member_session_id
        }
      })
    }
  })

  fastify.delete('/v1/me/sessions/:sessionId', {
    config: { auth: true },
    schema: {
      tags: ['sessions'],
      operationId: 'revokeSession',
      summary: 'Sign out one of my sessions',
      description: 'Revokes one of the member\'s own sessions, at once on every instance (its JWT stops working immediately). Another member\'s session id answers 404. Revoking the current session also clears its cookies.',
      security: AUTHENTICATED,
      params: SessionIdParamsSchema,
      response: { 204: Type.Null({ description: 'Revoked' }), ...errorResponses(400, 401, 403, 404, 503) }
    }
  }, async (request, reply) => {
    const { member, session } = request.requireAuth()
    const mine = await liveSessions(member.organization_id, member.member_id)
    if (!mine.some((s) => s.member_session_id === request.params.sessionId)) throw new NotFoundError('Session')
    await revokeSession(fastify, request.params.sessionId)
    if (request.params.sessionId === session.member_session_id) clearSessionCookies(reply, fastify.config)
    return await reply.code(204).send(null)
  })

  fastify.post('/v1/me/sessions/revoke', {
    config: { auth: true },
    schema: {
      tags: ['sessions'],
      operationId: 'revokeAllSessions',
      summary: 'Sign out everywhere',
      description: 'Revokes every session of the member, at once on every instance — or every other session with `keep_current: true`.',
      security: AUTHENTICATED,
      body: RevokeAllBodySchema,
      response: { 200: Type.Ref(RevokedCountSchema), ...errorResponses(400, 401, 403, 413, 415, 503) }
    }
  }, async (request, reply) => {
    const { member, session } = request.requireAuth()
    const targets = (await liveSessions(member.organization_id, member.member_id))
      .map((s) => s.member_session_id)
      .filter((id) => !(request.body.keep_current && id === session.member_session_id))
    if (!request.body.keep_current && !targets.includes(session.member_session_id)) targets.push(session.member_session_id)
    await Promise.all(targets.map(async (id) => { await revokeSession(fastify, id) }))
    if (!request.body.keep_current) clearSessionCookies(reply, fastify.config)
    return { revoked: targets.length }
  })

  fastify.patch('/v1/me/session', {
    config: { auth: true, permission: { resource: 'sessions', action: 'update', organization: 'session' } },
    schema: {
      tags: ['sessions'],
      operationId: 'updateCurrentSession',
      summary: 'Extend my session or set its client claims',
      description: `Extends the current session (\`session_duration_minutes\` from now) and/or merges client-settable custom claims (an allow-list defined by the server; \`null\` removes one; at most ${CLIENT_CLAIMS_MAX_BYTES} bytes). The change is in the fresh session JWT returned as cookie (browsers) or X-Session-JWT header (bearer clients), and in getMe.`,
      security: AUTHENTICATED,
      body: UpdateSessionBodySchema,
      response: { 200: Type.Ref(SessionViewSchema), ...errorResponses(400, 401, 403, 413, 415, 503) }
    }
  }, async (request, reply) => {
    request.requireAuth()
    const credentials = request.credentials
    if (credentials === null) throw new SessionRevokedError()
    const claims = request.body.custom_claims
    if (claims !== undefined && Buffer.byteLength(JSON.stringify(claims)) > CLIENT_CLAIMS_MAX_BYTES) {
      throw new CustomClaimsTooLargeError(String(CLIENT_CLAIMS_MAX_BYTES))
    }
    let response
    try {
      response = await client.sessions.authenticate({
        ...(credentials.sessionToken !== undefined ? { session_token: credentials.sessionToken } : { session_jwt: credentials.jwt as string }),
        ...(request.body.session_duration_minutes === undefined ? {} : { session_duration_minutes: request.body.session_duration_minutes }),
        ...(claims === undefined ? {} : { session_custom_claims: claims })
      })
    } catch (err) {
      if (isUpstreamOutage(err)) throw toUpstreamError(err)
      if (stytchErrorType(err) === 'session_not_found') throw new SessionRevokedError()
      throw new BadRequestError('Stytch refused the session update')
    }
    const context = contextFromMemberSession(response.member_session, response.member.email_address)
    assertSessionUsable(context, fastify.revocations, fastify.config)
    deliverFreshJwt(reply, fastify.config, credentials, response.session_jwt, response.member_session.expires_at)
    return context
  })
}

export default sessions
