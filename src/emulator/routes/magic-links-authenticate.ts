import { createHash } from 'node:crypto'
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { sha256Hex } from '../ids.js'
import { defaults, errors, pkce } from '../inferred.js'
import { JsonObject } from '../schemas.js'
import {
  authResponse, createSession, liveSessionByJwt, liveSessionByToken, magicLinkFactor, type SessionSelector
} from '../sessions-core.js'
import { nowMs, type EmulatorState, type StoredMagicLink, type StoredSession } from '../state.js'
import { touch } from '../store.js'
import { checkCustomClaimNames, checkSessionDuration, mergeCustomClaims } from '../validate.js'

const AuthenticateBody = Type.Object({
  magic_links_token: Type.String(),
  pkce_code_verifier: Type.Optional(Type.String()),
  session_token: Type.Optional(Type.String()),
  session_jwt: Type.Optional(Type.String()),
  session_duration_minutes: Type.Optional(Type.Number()),
  session_custom_claims: Type.Optional(JsonObject),
  locale: Type.Optional(Type.String()),
  intermediate_session_token: Type.Optional(Type.String()),
  telemetry_id: Type.Optional(Type.String())
})

/** The PKCE error for this verifier, if any: S256, the challenge sent with the link must be base64url(SHA-256(verifier)). */
function pkceError (link: StoredMagicLink, verifier: string | undefined): StytchApiError | undefined {
  const challenge = link.pkce_code_challenge
  if (challenge === undefined) return verifier === undefined ? undefined : new StytchApiError(errors.pkceUnexpectedVerifier)
  if (verifier === undefined) return new StytchApiError(errors.pkceExpectedVerifier)
  return createHash('sha256').update(verifier).digest('base64url') === challenge ? undefined : new StytchApiError(errors.pkceMismatch)
}

/** PKCE (inferred.ts `pkce`): checked once the link is known to be usable; a failure leaves it unused. */
function checkPkce (link: StoredMagicLink, verifier: string | undefined): void {
  const error = pkceError(link, verifier)
  if (error === undefined) return
  if (pkce.failureConsumesLink) link.used = true
  throw error
}

/** An existing session passed along is reused only if it is alive and belongs to the same member. */
async function reusableSession (state: EmulatorState, selector: SessionSelector, memberId: string): Promise<StoredSession | undefined> {
  try {
    const session = selector.session_token !== undefined
      ? liveSessionByToken(state, selector.session_token)
      : selector.session_jwt !== undefined ? await liveSessionByJwt(state, selector.session_jwt) : undefined
    return session?.member_id === memberId ? session : undefined
  } catch {
    return undefined
  }
}

/** magicLinks.authenticate (reference §5.3): single use, expiry, PKCE, activates the member, starts a session. */
export const magicLinkAuthenticateRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.post('/v1/b2b/magic_links/authenticate', { schema: { body: AuthenticateBody } }, async (request) => {
    const body = request.body
    if (body.session_token !== undefined && body.session_jwt !== undefined) {
      throw new StytchApiError(errors.tooManySessionArguments)
    }
    checkSessionDuration(body.session_duration_minutes)
    checkCustomClaimNames(body.session_custom_claims)

    const link = state.magicLinks.get(sha256Hex(body.magic_links_token))
    if (link === undefined) throw new StytchApiError(errors.magicLinkNotFound)
    if (link.used || link.revoked || link.expires_at_ms <= nowMs(state)) throw new StytchApiError(errors.unableToAuthMagicLink)
    checkPkce(link, body.pkce_code_verifier)
    const member = state.members.get(link.member_id)
    if (member === undefined || member.status === 'deleted') throw new StytchApiError(errors.unableToAuthMagicLink)

    const existing = await reusableSession(state, body, member.member_id)
    const claims = mergeCustomClaims(existing?.custom_claims ?? {}, body.session_custom_claims)
    const minutes = body.session_duration_minutes ?? defaults.sessionDurationMinutes

    link.used = true
    member.status = 'active'
    member.email_address_verified = true
    touch(state, member)

    const factor = magicLinkFactor(state, member)
    let session: StoredSession
    if (existing === undefined) {
      session = createSession(state, member, [factor], minutes, claims)
    } else {
      const now = nowMs(state)
      session = existing
      session.authentication_factors = [
        ...session.authentication_factors.filter((f) => f.type !== 'magic_link' || f.delivery_method !== 'email'),
        factor
      ]
      session.custom_claims = claims
      session.last_accessed_at_ms = now
      session.expires_at_ms = now + minutes * 60_000
    }
    // Optional fields of B2BMagicLinksAuthenticateResponse (mfa_required, primary_required, member_device)
    // are absent, not null, when they do not apply ([SDK] types mark them `?:`).
    return {
      ...await authResponse(state, session),
      member_id: member.member_id,
      organization_id: member.organization_id,
      method_id: member.email_id,
      reset_sessions: false,
      member_authenticated: true,
      intermediate_session_token: ''
    }
  })
}
