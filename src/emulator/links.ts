import { newToken, rfc3339, sha256Hex } from './ids.js'
import { defaults } from './inferred.js'
import { nowMs, type EmulatorState, type LinkType, type Organization, type StoredMember } from './state.js'
import { checkRedirectUrl } from './validate.js'

export interface LinkRequest {
  type: LinkType
  member: StoredMember
  organization: Organization
  redirectUrl: string
  minutes: number
  pkceCodeChallenge?: string | undefined
}

/**
 * "Sends" a magic link: stores it under the SHA-256 of its token and puts the message (with the raw token)
 * in the outbox. Link = `<redirect_url>?stytch_token_type=multi_tenant_magic_links&token=<token>`.
 */
export function issueLink (state: EmulatorState, request: LinkRequest): void {
  const url = checkRedirectUrl(request.redirectUrl)
  const token = newToken()
  const now = nowMs(state)
  const expiresAt = now + request.minutes * 60_000
  state.magicLinks.set(sha256Hex(token), {
    type: request.type,
    member_id: request.member.member_id,
    organization_id: request.organization.organization_id,
    email_address: request.member.email_address,
    ...(request.pkceCodeChallenge === undefined ? {} : { pkce_code_challenge: request.pkceCodeChallenge }),
    expires_at_ms: expiresAt,
    used: false,
    revoked: false
  })
  url.searchParams.set('stytch_token_type', defaults.linkTokenType)
  url.searchParams.set('token', token)
  state.outbox.push({
    email_address: request.member.email_address,
    type: request.type,
    organization_id: request.organization.organization_id,
    organization_slug: request.organization.organization_slug,
    member_id: request.member.member_id,
    link: url.toString(),
    token,
    redirect_url: request.redirectUrl,
    sent_at: rfc3339(now),
    expires_at: rfc3339(expiresAt),
    pkce_code_challenge: request.pkceCodeChallenge ?? null
  })
}
