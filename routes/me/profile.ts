import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { memberAuthorization } from '../../src/auth/member-authorization.js'
import { AUTHENTICATED, errorResponses } from '../../src/openapi/route-helpers.js'
import { MemberProfileSchema, UpdateMeBodySchema } from '../../src/schemas/member.js'
import { SessionViewSchema } from '../../src/schemas/session.js'
import { fromStytchManagementError } from '../../src/stytch/errors.js'
import { memberProfile } from '../../src/stytch/member-profile.js'

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

  fastify.patch('/v1/me', {
    config: {
      auth: true,
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
      security: AUTHENTICATED,
      body: UpdateMeBodySchema,
      response: { 200: Type.Ref(MemberProfileSchema), ...errorResponses(400, 401, 403, 413, 415, 503) }
    }
  }, async (request) => {
    const { member } = request.requireAuth()
    const { name, shipping_address: address } = request.body
    try {
      const response = await fastify.stytch.client.organizations.members.update({
        organization_id: member.organization_id,
        member_id: member.member_id,
        ...(name === undefined ? {} : { name }),
        ...(address === undefined ? {} : { untrusted_metadata: { shipping_address: address } })
      }, { authorization: memberAuthorization(request) })
      return memberProfile(response.member)
    } catch (err) {
      throw fromStytchManagementError(err, 'update', 'stytch.self')
    }
  })
}

export default me
