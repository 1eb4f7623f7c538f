import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { NotReadyError } from '../../src/errors.js'
import { errorResponses } from '../../src/openapi/route-helpers.js'

const Status = Type.Object({ status: Type.String({ examples: ['ok'] }) }, { additionalProperties: false })

const health: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/healthz', {
    config: { public: true },
    schema: {
      tags: ['health'],
      operationId: 'getLiveness',
      summary: 'Liveness probe',
      description: 'Answers 200 while the process serves HTTP. Never calls Stytch.',
      response: { 200: Status }
    }
  }, async () => ({ status: 'ok' }))

  fastify.get('/readyz', {
    config: { public: true },
    schema: {
      tags: ['health'],
      operationId: 'getReadiness',
      summary: 'Readiness probe',
      description: 'Answers 200 once Stytch\'s signing keys (JWKS) have been loaded at least once and the database answers. A Stytch outage after that keeps the instance ready: valid session JWTs keep being verified locally.',
      response: { 200: Status, ...errorResponses(503) }
    }
  }, async () => {
    if (!fastify.stytch.jwks.loaded) throw new NotReadyError('Stytch signing keys not loaded yet')
    try {
      await fastify.db.query('SELECT 1')
    } catch {
      throw new NotReadyError('the database does not answer')
    }
    return { status: 'ok' }
  })
}

export default health
