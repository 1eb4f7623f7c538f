import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AUTHENTICATED, errorResponses } from '../../src/openapi/route-helpers.js'
import { SessionViewSchema } from '../../src/schemas/session.js'

const me: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/v1/me', {
    config: { auth: true },
    schema: {
      tags: ['me'],
      operationId: 'getMe',
      summary: 'The authenticated member, organization and session',
      description: 'Answered from the verified session (JWT claims, or Stytch\'s answer on the slow path); no extra Stytch call on the fast path.',
      security: AUTHENTICATED,
      response: { 200: Type.Ref(SessionViewSchema), ...errorResponses(401, 503) }
    }
  }, async (request) => request.requireAuth())
}

export default me
