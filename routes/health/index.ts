import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { databaseAnswers } from '../../src/db/database.js'
import { NotReadyError } from '../../src/errors.js'
import { errorResponses } from '../../src/openapi/route-helpers.js'

const Status = Type.Object({ status: Type.String({ examples: ['ok'] }) }, { additionalProperties: false })

/** A readiness probe must answer quickly, even while the database hangs (pg's connect timeout is 5 s). */
const DATABASE_PROBE_TIMEOUT_MS = 2_000

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
    // Every check, so the answer names everything still warming up (or down), not the first only.
    const pending: string[] = []
    if (!fastify.stytch.jwks.loaded) pending.push('Stytch signing keys not loaded yet')
    if (!await databaseAnswers(fastify.db, DATABASE_PROBE_TIMEOUT_MS)) pending.push('the database does not answer')
    if (pending.length > 0) throw new NotReadyError(pending.join('; '))
    return { status: 'ok' }
  })
}

export default health
