import type { FastifyRequest } from 'fastify'

/**
 * The member's own credentials, for SDK calls that Stytch must authorize as that member
 * (`method_options.authorization` → X-Stytch-Member-Session / -SessionJWT headers).
 */
export function memberAuthorization (request: FastifyRequest): { session_token?: string, session_jwt?: string } {
  const credentials = request.credentials
  if (credentials === null) return {}
  if (credentials.sessionToken !== undefined) return { session_token: credentials.sessionToken }
  return credentials.jwt === undefined ? {} : { session_jwt: credentials.jwt }
}
