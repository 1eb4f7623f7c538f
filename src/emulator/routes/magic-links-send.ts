import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { errors } from '../inferred.js'
import { issueLink } from '../links.js'
import { JsonObject, StringList } from '../schemas.js'
import { authorizeMemberCreation } from '../session-header.js'
import { type EmulatorState, type Organization } from '../state.js'
import { insertMember, memberByEmail, requireMember, requireOrganization, touch } from '../store.js'
import { memberResponse } from './members.js'
import {
  checkExplicitRoles, checkRedirectUrl, emailDomain, initialMetadata, linkMinutes, mergeMetadata, normalizeEmail
} from '../validate.js'

const LoginOrSignupBody = Type.Object({
  organization_id: Type.String(),
  email_address: Type.String(),
  login_redirect_url: Type.Optional(Type.String()),
  signup_redirect_url: Type.Optional(Type.String()),
  pkce_code_challenge: Type.Optional(Type.String()),
  login_template_id: Type.Optional(Type.String()),
  signup_template_id: Type.Optional(Type.String()),
  locale: Type.Optional(Type.String()),
  login_expiration_minutes: Type.Optional(Type.Number()),
  signup_expiration_minutes: Type.Optional(Type.Number())
})

const InviteBody = Type.Object({
  organization_id: Type.String(),
  email_address: Type.String(),
  invite_redirect_url: Type.Optional(Type.String()),
  invited_by_member_id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  trusted_metadata: Type.Optional(JsonObject),
  untrusted_metadata: Type.Optional(JsonObject),
  invite_template_id: Type.Optional(Type.String()),
  locale: Type.Optional(Type.String()),
  roles: Type.Optional(StringList),
  invite_expiration_minutes: Type.Optional(Type.Number())
})

/** Email JIT provisioning: RESTRICTED and the email's domain in email_allowed_domains. */
function jitAllows (organization: Organization, email: string): boolean {
  return organization.email_jit_provisioning === 'RESTRICTED' && organization.email_allowed_domains.includes(emailDomain(email))
}

function checkInvitesAllowed (organization: Organization, email: string): void {
  if (organization.email_invites === 'NOT_ALLOWED') throw new StytchApiError(errors.invitesNotAllowed)
  if (organization.email_invites === 'RESTRICTED' && !organization.email_allowed_domains.includes(emailDomain(email))) {
    throw new StytchApiError(errors.invalidEmailForInvites)
  }
}

/** magicLinks.email.loginOrSignup and .invite (reference §5.1, §5.2): links go to the outbox. */
export const magicLinkSendRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  const { options } = state

  app.post('/v1/b2b/magic_links/email/login_or_signup', { schema: { body: LoginOrSignupBody } }, async (request) => {
    const body = request.body
    const organization = requireOrganization(state, body.organization_id)
    const email = normalizeEmail(body.email_address)
    const loginMinutes = linkMinutes(body.login_expiration_minutes, options.loginLinkMinutes)
    const signupMinutes = linkMinutes(body.signup_expiration_minutes, options.loginLinkMinutes)
    const loginUrl = body.login_redirect_url ?? options.defaultRedirectUrl
    const signupUrl = body.signup_redirect_url ?? options.defaultRedirectUrl
    checkRedirectUrl(loginUrl)
    checkRedirectUrl(signupUrl)

    let member = memberByEmail(state, organization.organization_id, email)
    const memberCreated = member === undefined
    if (member === undefined) {
      if (!jitAllows(organization, email)) throw new StytchApiError(errors.emailJitNotAllowed)
      member = insertMember(state, organization, { email_address: email, status: 'pending' })
    }
    // New, pending and invited members get a signup link; active members a login link ([SDK doc comment]).
    const isLogin = member.status === 'active'
    issueLink(state, {
      type: isLogin ? 'login' : 'signup',
      member,
      organization,
      redirectUrl: isLogin ? loginUrl : signupUrl,
      minutes: isLogin ? loginMinutes : signupMinutes,
      pkceCodeChallenge: body.pkce_code_challenge
    })
    return { ...memberResponse(state, member, organization), member_created: memberCreated }
  })

  app.post('/v1/b2b/magic_links/email/invite', { schema: { body: InviteBody } }, async (request) => {
    const body = request.body
    const organization = requireOrganization(state, body.organization_id)
    await authorizeMemberCreation(state, request, organization.organization_id, body.trusted_metadata)
    const email = normalizeEmail(body.email_address)
    checkInvitesAllowed(organization, email)
    const minutes = linkMinutes(body.invite_expiration_minutes, options.inviteLinkMinutes)
    const redirectUrl = body.invite_redirect_url ?? options.defaultRedirectUrl
    checkRedirectUrl(redirectUrl)
    if (body.invited_by_member_id !== undefined) requireMember(state, organization, body.invited_by_member_id)
    const roles = body.roles === undefined ? undefined : checkExplicitRoles(state, organization, body.roles)

    let member = memberByEmail(state, organization.organization_id, email)
    if (member?.status === 'active') throw new StytchApiError(errors.memberAlreadyActive)
    if (member === undefined) {
      member = insertMember(state, organization, {
        email_address: email,
        status: 'invited',
        name: body.name,
        explicit_roles: roles,
        trusted_metadata: initialMetadata(body.trusted_metadata),
        untrusted_metadata: initialMetadata(body.untrusted_metadata)
      })
    } else {
      // A pending member becomes invited; an invited one is re-invited with a fresh link.
      const trusted = body.trusted_metadata === undefined ? undefined : mergeMetadata(member.trusted_metadata, body.trusted_metadata)
      const untrusted = body.untrusted_metadata === undefined ? undefined : mergeMetadata(member.untrusted_metadata, body.untrusted_metadata)
      member.status = 'invited'
      if (body.name !== undefined) member.name = body.name
      if (roles !== undefined) member.explicit_roles = roles
      if (trusted !== undefined) member.trusted_metadata = trusted
      if (untrusted !== undefined) member.untrusted_metadata = untrusted
      touch(state, member)
    }
    issueLink(state, { type: 'invite', member, organization, redirectUrl, minutes })
    return memberResponse(state, member, organization)
  })
}
