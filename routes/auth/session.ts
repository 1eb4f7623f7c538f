import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RefreshedSessionSchema, RefreshSessionBodySchema } from '../../src/schemas/auth.js'
import { errorResponses } from '../../src/openapi/route-helpers.js'

const session: FastifyPluginAsyncTypebox = async (fastify) => {
  const { audit, sessions } = fastify

  fastify.post('/v1/auth/session/refresh', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'refreshSession',
      summary: 'Swap a session token for a fresh session JWT',
      description: 'For bearer (mobile) clients: checks the session token with Stytch, extends the session (sliding expiry) and returns a fresh session JWT. Concurrent refreshes of the same token share one Stytch call. Browser clients never need this: the cookies are refreshed automatically.',
      body: RefreshSessionBodySchema,
      response: { 200: Type.Ref(RefreshedSessionSchema), ...errorResponses(401, 429, 503) }
    }
  }, async (request) => await sessions.refresh(request, request.body.session_token))

  fastify.post('/v1/auth/logout', {
    config: { auth: true },
    schema: {
      tags: ['auth'],
      operationId: 'logout',
      summary: 'Log out (revoke the current session)',
      description: 'Revokes the current session at Stytch and on this API at once (its JWT stops working immediately, not after its expiry), and clears the session cookies.',
      response: { 204: Type.Null({ description: 'Logged out' }) }
    }
  }, async (request, reply) => {
    const { member, session } = request.requireAuth()
    await sessions.revoke(session.member_session_id)
    await audit.record(request, { type: 'logout', target_member_id: member.member_id, target_session_id: session.member_session_id })
    sessions.clearCookies(reply)
    return await reply.code(204).send(null)
  })
}

export default session
