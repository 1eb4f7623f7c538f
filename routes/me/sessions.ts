import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../src/openapi/route-helpers.js'
import { SessionIdParamsSchema } from '../../src/schemas/primitives.js'
import {
  CLIENT_CLAIMS_MAX_BYTES, RevokeAllBodySchema, RevokedCountSchema, SessionListSchema, SessionViewSchema, UpdateSessionBodySchema
} from '../../src/schemas/session.js'

const sessions: FastifyPluginAsyncTypebox = async (fastify) => {
  const service = fastify.sessions
  const { audit } = fastify

  fastify.get('/v1/me/sessions', {
    config: { auth: true },
    schema: {
      tags: ['sessions'],
      operationId: 'listSessions',
      summary: 'My active sessions (devices)',
      description: 'Every active session of the member, with which one made this request and, where known, the device it was seen from (IP address, user agent parsed into browser and OS, first and last seen: written at login and whenever Stytch confirms the session — slow path, refresh — not on requests proven by the JWT alone). Devices of sessions that ended are pruned.',
      response: { 200: Type.Ref(SessionListSchema) }
    }
  }, async (request) => ({ sessions: await service.listOwn(request.requireAuth()) }))

  fastify.delete('/v1/me/sessions/:sessionId', {
    config: { auth: true },
    schema: {
      tags: ['sessions'],
      operationId: 'revokeSession',
      summary: 'Sign out one of my sessions',
      description: 'Revokes one of the member\'s own sessions, at once on every instance (its JWT stops working immediately). Another member\'s session id answers 404. Revoking the current session also clears its cookies.',
      params: SessionIdParamsSchema,
      response: { 204: Type.Null({ description: 'Revoked' }), ...errorResponses(404) }
    }
  }, async (request, reply) => {
    const { member, session } = request.requireAuth()
    await service.revokeOwn(member, request.params.sessionId)
    await audit.record(request, { type: 'session_revoked', target_member_id: member.member_id, target_session_id: request.params.sessionId, details: { current: request.params.sessionId === session.member_session_id } })
    if (request.params.sessionId === session.member_session_id) service.clearCookies(reply)
    return await reply.code(204).send(null)
  })

  fastify.post('/v1/me/sessions/revoke', {
    config: { auth: true },
    schema: {
      tags: ['sessions'],
      operationId: 'revokeAllSessions',
      summary: 'Sign out everywhere',
      description: 'Revokes every session of the member, at once on every instance — or every other session with `keep_current: true`.',
      body: RevokeAllBodySchema,
      response: { 200: Type.Ref(RevokedCountSchema) }
    }
  }, async (request, reply) => {
    const context = request.requireAuth()
    const revoked = await service.revokeAllOwn(context, request.body.keep_current)
    await audit.record(request, { type: 'member_sessions_revoked', target_member_id: context.member.member_id, details: { count: revoked, keep_current: request.body.keep_current } })
    if (!request.body.keep_current) service.clearCookies(reply)
    return { revoked }
  })

  fastify.patch('/v1/me/session', {
    config: { permission: { resource: 'sessions', action: 'update', organization: 'session' } },
    schema: {
      tags: ['sessions'],
      operationId: 'updateCurrentSession',
      summary: 'Extend my session or set its client claims',
      description: `Extends the current session (\`session_duration_minutes\` from now) and/or merges client-settable custom claims (an allow-list defined by the server; \`null\` removes one; at most ${CLIENT_CLAIMS_MAX_BYTES} bytes). The change is in the fresh session JWT returned as cookie (browsers) or X-Session-JWT header (bearer clients), and in getMe.`,
      body: UpdateSessionBodySchema,
      response: { 200: Type.Ref(SessionViewSchema) }
    }
  }, async (request, reply) => {
    const credentials = request.credentials as NonNullable<typeof request.credentials>
    const proven = await service.update(request.requireAuth(), credentials, request.body)
    service.deliver(reply, credentials, proven)
    return proven.context
  })
}

export default sessions
