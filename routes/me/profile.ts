import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemberProfileSchema, UpdateMeBodySchema } from '../../src/schemas/member.js'
import { SessionViewSchema } from '../../src/schemas/session.js'
import { errorResponses } from '../../src/openapi/route-helpers.js'

const me: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/v1/me', {
    config: { auth: true },
    schema: {
      tags: ['me'],
      operationId: 'getMe',
      summary: 'The authenticated member, organization and session',
      description: 'Answered from the verified session (JWT claims, or Stytch\'s answer on the slow path); no extra Stytch call on the fast path.',
      response: { 200: Type.Ref(SessionViewSchema) }
    }
  }, async (request) => request.requireAuth())

  fastify.get('/v1/me/profile', {
    config: { auth: true },
    schema: {
      tags: ['me'],
      operationId: 'getMyProfile',
      summary: 'My profile as Stytch stores it',
      description: 'Name, email, status, roles and shipping address, read from Stytch (`members.get`). Cached per member for 30 seconds on each instance: a change made through this API (updateMe, a role change, removal) shows at once, a change made elsewhere (Stytch\'s dashboard, another instance) within 30 seconds. `getMe` stays the network-free view of the session.',
      response: { 200: Type.Ref(MemberProfileSchema), ...errorResponses(404) }
    }
  }, async (request) => await fastify.members.profile(request))

  fastify.patch('/v1/me', {
    config: {
      permission: [
        { resource: 'stytch.self', action: 'update.info.name', organization: 'session' },
        { resource: 'stytch.self', action: 'update.info.untrusted-metadata', organization: 'session' }
      ]
    },
    schema: {
      tags: ['me'],
      operationId: 'updateMe',
      summary: 'Update my name and shipping address',
      description: 'Updates the member\'s own record at Stytch. The call carries the member\'s session, so Stytch itself enforces `stytch.self` permissions; the shipping address is kept in the member\'s untrusted metadata (other metadata keys are left alone).',
      body: UpdateMeBodySchema,
      response: { 200: Type.Ref(MemberProfileSchema) }
    }
  }, async (request) => await fastify.members.updateSelf(request, request.body))
}

export default me
