import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { requestId } from '../ids.js'
import { errors } from '../inferred.js'
import { listedKeys } from '../keys.js'
import { type EmulatorState } from '../state.js'

const Params = Type.Object({ project_id: Type.String() })

/** The JWKS, served WITHOUT Basic auth: jose fetches it with no credentials and accepts only HTTP 200. */
export const jwksRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.get('/v1/b2b/sessions/jwks/:project_id', { schema: { params: Params } }, async (request) => {
    if (request.params.project_id !== state.options.projectId) throw new StytchApiError(errors.projectNotFound)
    return { keys: listedKeys(state).map((key) => key.publicJwk), request_id: requestId(), status_code: 200 }
  })
}
