import { SignJWT, compactVerify, createLocalJWKSet } from 'jose'
import { StytchApiError } from './errors.js'
import { rfc3339 } from './ids.js'
import { errors } from './inferred.js'
import { listedKeys } from './keys.js'
import { nowMs, type EmulatorState, type Organization, type StoredSession } from './state.js'

export const sessionClaim = 'https://stytch.com/session'
export const organizationClaim = 'https://stytch.com/organization'

/**
 * Signs a session JWT laid out as reference §7.1: the two Stytch claims (the SDK dereferences both, and
 * needs `roles` for local RBAC), custom claims at top level, `typ: JWT` in the header (jose rejects
 * anything else), and exp = min(iat + lifetime, session expiry).
 */
export async function mintSessionJwt (
  state: EmulatorState, session: StoredSession, organization: Organization, roles: string[]
): Promise<string> {
  const { projectId } = state.options
  const iat = Math.floor(nowMs(state) / 1000)
  const exp = Math.min(iat + state.config.jwt_lifetime_seconds, Math.floor(session.expires_at_ms / 1000))
  const payload = {
    ...session.custom_claims,
    [sessionClaim]: {
      id: session.member_session_id,
      started_at: rfc3339(session.started_at_ms),
      last_accessed_at: rfc3339(session.last_accessed_at_ms),
      expires_at: rfc3339(session.expires_at_ms),
      attributes: { ip_address: '', user_agent: '' },
      authentication_factors: session.authentication_factors.map((factor) => ({
        type: factor.type,
        delivery_method: factor.delivery_method,
        last_authenticated_at: factor.last_authenticated_at,
        email_factor: factor.email_factor
      })),
      roles
    },
    [organizationClaim]: { organization_id: organization.organization_id, slug: organization.organization_slug }
  }
  const key = state.keys.current
  return await new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setSubject(session.member_id)
    .setIssuer(`stytch.com/${projectId}`)
    .setAudience([projectId])
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .sign(key.privateKey)
}

export interface VerifiedSessionJwt { sessionId: string, memberId: string }

/**
 * Checks a session JWT the way the server side must: signature by any key still in the JWKS, issuer,
 * audience and the session claim, but NOT `exp` — an expired JWT of a live session is accepted ([SDK doc
 * comment]); whether the session is alive is the caller's question.
 */
export async function verifySessionJwt (state: EmulatorState, jwt: string): Promise<VerifiedSessionJwt> {
  const { projectId } = state.options
  try {
    const jwks = createLocalJWKSet({ keys: listedKeys(state).map((key) => key.publicJwk) })
    const { payload, protectedHeader } = await compactVerify(jwt, jwks, { algorithms: ['RS256'] })
    if (protectedHeader.typ?.toUpperCase() !== 'JWT') throw new Error('typ is not JWT')
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    const session = claims[sessionClaim] as { id?: unknown } | undefined
    if (claims.iss !== `stytch.com/${projectId}` || !audience.includes(projectId)) throw new Error('wrong iss/aud')
    if (typeof session?.id !== 'string' || typeof claims.sub !== 'string') throw new Error('no session claim')
    return { sessionId: session.id, memberId: claims.sub }
  } catch {
    throw new StytchApiError(errors.invalidSessionJwt)
  }
}
