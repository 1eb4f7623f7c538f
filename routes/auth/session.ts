import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchError } from 'stytch'
import { clearSessionCookies } from '../../src/auth/cookies.js'
import { revokeSession } from '../../src/auth/revoke.js'
import { contextFromMemberSession } from '../../src/auth/session-context.js'
import { assertSessionUsable } from '../../src/auth/session-policy.js'
import { InvalidCredentialsError, SessionRevokedError } from '../../src/errors.js'
import { RefreshedSessionSchema, RefreshSessionBodySchema } from '../../src/schemas/auth.js'
import { AUTHENTICATED, errorResponses } from '../../src/openapi/route-helpers.js'
import { isUpstreamOutage, toUpstreamError } from '../../src/stytch/errors.js'


const session: FastifyPluginAsyncTypebox = async (fastify) => {
  const { refresher } = fastify.stytch
  const { revocations } = fastify

  fastify.post('/v1/auth/session/refresh', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'refreshSession',
      // Public: no credentials (an explicit empty requirement, not a missing one).
      security: [],
      summary: 'Swap a session token for a fresh session JWT',
      description: 'For bearer (mobile) clients: checks the session token with Stytch, extends the session (sliding expiry) and returns a fresh session JWT. Concurrent refreshes of the same token share one Stytch call. Browser clients never need this: the cookies are refreshed automatically.',
      body: RefreshSessionBodySchema,
      response: { 200: Type.Ref(RefreshedSessionSchema), ...errorResponses(400, 401, 413, 415, 503) }
    }
  }, async (request) => {
    let response
    try {
      response = await refresher.authenticate({ session_token: request.body.session_token })
    } catch (err) {
      if (isUpstreamOutage(err)) throw toUpstreamError(err)
      if (err instanceof StytchError && err.error_type === 'session_not_found') throw new SessionRevokedError()
      throw new InvalidCredentialsError()
    }
    const context = contextFromMemberSession(response.member_session, response.member.email_address)
    assertSessionUsable(context, revocations, fastify.config)
    return { session_jwt: response.session_jwt, session: context.session }
  })

  fastify.post('/v1/auth/logout', {
    config: { auth: true },
    schema: {
      tags: ['auth'],
      operationId: 'logout',
      summary: 'Log out (revoke the current session)',
      description: 'Revokes the current session at Stytch and on this API at once (its JWT stops working immediately, not after its expiry), and clears the session cookies.',
      security: AUTHENTICATED,
      response: { 204: Type.Null({ description: 'Logged out' }), ...errorResponses(401, 403, 503) }
    }
  }, async (request, reply) => {
    const { session: current } = request.requireAuth()
    await revokeSession(fastify, current.member_session_id)
    clearSessionCookies(reply, fastify.config)
    return await reply.code(204).send(null)
  })
}

export default session
