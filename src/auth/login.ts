import type { B2BClient } from 'stytch'
import type { Config } from '../config.js'
import { BadRequestError, InvalidMagicLinkError } from '../errors.js'
import { isUpstreamOutage, stytchErrorType, toUpstreamError } from '../stytch/errors.js'
import { contextFromMemberSession, type SessionContext } from './session-context.js'

/** Where emailed links land: this API's browser callback, built from configuration only. */
export const magicLinkCallbackUrl = (config: Config): string => `${config.PUBLIC_URL}/v1/auth/magic-links/callback`

/**
 * Sends a login (or sign-up, if the organization allows it) link. Every answer Stytch can give
 * about the address itself — not a member, sign-up not allowed, invalid address for this org — is
 * swallowed, so the caller answers identically whether or not the email is a member. Only an
 * outage surfaces (as 503), because a silent success would hide it from a legitimate user.
 */
export async function sendLoginLink (client: B2BClient, config: Config, request: { email_address: string, organization: string }): Promise<void> {
  const url = magicLinkCallbackUrl(config)
  try {
    await client.magicLinks.email.loginOrSignup({
      organization_id: request.organization,
      email_address: request.email_address,
      login_redirect_url: url,
      signup_redirect_url: url
    })
  } catch (err) {
    if (isUpstreamOutage(err)) throw toUpstreamError(err)
  }
}

export interface LoginResult {
  context: SessionContext
  session_token: string
  session_jwt: string
}

const PKCE_ERRORS = new Set(['pkce_mismatch', 'pkce_expected_code_verifier', 'pkce_did_not_expect_code_verifier'])

/** Exchanges the token from a magic link for a session (the token is single use). */
export async function authenticateMagicLink (client: B2BClient, config: Config, token: string, pkceCodeVerifier?: string): Promise<LoginResult> {
  let response
  try {
    response = await client.magicLinks.authenticate({
      magic_links_token: token,
      session_duration_minutes: config.SESSION_DURATION_MINUTES,
      ...(pkceCodeVerifier === undefined ? {} : { pkce_code_verifier: pkceCodeVerifier })
    })
  } catch (err) {
    if (isUpstreamOutage(err)) throw toUpstreamError(err)
    if (PKCE_ERRORS.has(stytchErrorType(err) ?? '')) throw new BadRequestError('The PKCE code verifier does not match this magic link')
    throw new InvalidMagicLinkError()
  }
  if (response.member_session === undefined || !response.member_authenticated) {
    // MFA is not offered by this API: an organization that requires it cannot log in here.
    throw new BadRequestError('This organization requires a second factor, which this API does not support')
  }
  return {
    context: contextFromMemberSession(response.member_session, response.member.email_address),
    session_token: response.session_token,
    session_jwt: response.session_jwt
  }
}
