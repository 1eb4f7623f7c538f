import type { JWTPayload } from 'jose'
import type { MemberSession } from 'stytch'
import type { Static } from '@sinclair/typebox'
import type { AuthenticationFactorSchema, MemberSchema, OrganizationSchema, SessionSchema } from '../schemas/session.js'

export const SESSION_CLAIM = 'https://stytch.com/session'
export const ORGANIZATION_CLAIM = 'https://stytch.com/organization'
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', SESSION_CLAIM, ORGANIZATION_CLAIM])

/** The authenticated member, organization and session, as their response schemas define them. */
export type AuthenticatedMember = Static<typeof MemberSchema>
export type AuthenticatedOrganization = Static<typeof OrganizationSchema>
export type AuthenticatedSession = Static<typeof SessionSchema>
type AuthenticationFactorView = Static<typeof AuthenticationFactorSchema>

/** What the auth plugin puts on a request once its credentials are proven. */
export interface SessionContext {
  member: AuthenticatedMember
  organization: AuthenticatedOrganization
  session: AuthenticatedSession
  /** `session.started_at` as epoch ms, parsed once (NaN when unparseable); not part of any response. */
  startedAtMs: number
}

interface RawFactor {
  type?: unknown
  delivery_method?: unknown
  last_authenticated_at?: unknown
  email_factor?: { email_address?: unknown }
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '')

function factorView (factor: RawFactor): AuthenticationFactorView {
  const view: AuthenticationFactorView = {
    type: str(factor.type),
    delivery_method: str(factor.delivery_method),
    last_authenticated_at: str(factor.last_authenticated_at)
  }
  const email = factor.email_factor?.email_address
  if (typeof email === 'string') view.email_address = email
  return view
}

function firstEmail (factors: AuthenticationFactorView[]): string | null {
  return factors.find((f) => f.email_address !== undefined)?.email_address ?? null
}

/**
 * Builds the context from a verified session JWT's claims. Returns null when a claim the API relies
 * on is missing or mistyped: such a token is treated as invalid, not half-trusted.
 */
export function contextFromClaims (payload: JWTPayload): SessionContext | null {
  const session = payload[SESSION_CLAIM] as Record<string, unknown> | undefined
  const org = payload[ORGANIZATION_CLAIM] as Record<string, unknown> | undefined
  if (typeof payload.sub !== 'string' || session === undefined || org === undefined) return null
  if (typeof session.id !== 'string' || typeof org.organization_id !== 'string') return null
  if (!Array.isArray(session.roles) || !session.roles.every((r) => typeof r === 'string')) return null
  const factors = Array.isArray(session.authentication_factors) ? (session.authentication_factors as RawFactor[]).map(factorView) : []
  const customClaims: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(payload)) {
    if (!REGISTERED_CLAIMS.has(name)) customClaims[name] = value
  }
  const roles = session.roles as string[]
  const startedAt = str(session.started_at)
  return {
    startedAtMs: Date.parse(startedAt),
    member: { member_id: payload.sub, organization_id: org.organization_id, email_address: firstEmail(factors), roles },
    organization: { organization_id: org.organization_id, organization_slug: str(org.slug) },
    session: {
      member_session_id: session.id,
      started_at: startedAt,
      last_accessed_at: str(session.last_accessed_at),
      expires_at: str(session.expires_at),
      roles,
      authentication_factors: factors,
      custom_claims: customClaims
    }
  }
}

/** Builds the context from a Stytch session object (remote authenticate or magic-link login). */
export function contextFromMemberSession (memberSession: MemberSession, emailAddress?: string): SessionContext {
  const factors = (memberSession.authentication_factors as RawFactor[]).map(factorView)
  return {
    startedAtMs: Date.parse(memberSession.started_at),
    member: {
      member_id: memberSession.member_id,
      organization_id: memberSession.organization_id,
      email_address: emailAddress ?? firstEmail(factors),
      roles: memberSession.roles
    },
    organization: { organization_id: memberSession.organization_id, organization_slug: memberSession.organization_slug },
    session: {
      member_session_id: memberSession.member_session_id,
      started_at: memberSession.started_at,
      last_accessed_at: memberSession.last_accessed_at,
      expires_at: memberSession.expires_at,
      roles: memberSession.roles,
      authentication_factors: factors,
      custom_claims: memberSession.custom_claims ?? {}
    }
  }
}
