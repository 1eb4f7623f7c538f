import { createHash, timingSafeEqual } from 'node:crypto'
import { type FastifyRequest } from 'fastify'
import { StytchApiError } from './errors.js'
import { errors } from './inferred.js'
import { type EmulatorState } from './state.js'

function digest (value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * onRequest hook for every Stytch route except the JWKS: `Authorization: Basic base64(project_id:secret)`.
 * Both sides are hashed first so the constant-time compare always sees equal lengths.
 */
export function basicAuthHook (state: EmulatorState): (request: FastifyRequest) => Promise<void> {
  const expected = digest(`${state.options.projectId}:${state.options.secret}`)
  return async (request) => {
    const match = /^basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
    const given = digest(Buffer.from(match?.[1] ?? '', 'base64'))
    if (match === null || !timingSafeEqual(given, expected)) throw new StytchApiError(errors.unauthorizedCredentials)
  }
}
