import { Type, type Static } from '@sinclair/typebox'
import { EmailAddressSchema, MagicLinkTokenSchema, OrganizationRefSchema, SessionTokenSchema } from './primitives.js'
import { MemberSchema, OrganizationSchema, SessionSchema } from './session.js'
import { CHALLENGE_PATTERN, VERIFIER_PATTERN } from '../auth/pkce.js'

export const SendLoginLinkBodySchema = Type.Object({
  email_address: EmailAddressSchema,
  organization: OrganizationRefSchema,
  pkce_code_challenge: Type.Optional(Type.String({
    pattern: CHALLENGE_PATTERN,
    description: 'Apps that complete the login themselves (mobile, SPA): base64url(SHA-256(verifier)) of a random verifier they keep, passed later as `pkce_code_verifier` to authenticateMagicLink. Without it (browsers) the API makes the verifier and keeps it in an HttpOnly cookie.'
  }))
}, { additionalProperties: false, examples: [{ email_address: 'admin@acme.test', organization: 'acme' }] })

export const LinkSentSchema = Type.Object({
  status: Type.Literal('sent'),
  message: Type.String({ examples: ['If this address can log in to the organization, a login link is on its way.'] })
}, { $id: 'LinkSent', additionalProperties: false })

export const AuthenticateMagicLinkBodySchema = Type.Object({
  token: MagicLinkTokenSchema,
  delivery: Type.Union([Type.Literal('cookie'), Type.Literal('body')], {
    default: 'cookie',
    description: '`cookie` (browsers): the session is set as HttpOnly cookies. `body` (mobile, API clients): session_token and session_jwt are returned in the body and no cookie is set.'
  }),
  pkce_code_verifier: Type.Optional(Type.String({
    pattern: VERIFIER_PATTERN,
    description: 'The verifier whose challenge was passed to sendLoginMagicLink. Without it, the verifier cookie set by sendLoginMagicLink is used, if the browser sends one.'
  }))
}, { additionalProperties: false, examples: [{ token: 'PASTE_THE_TOKEN_OF_THE_EMAILED_LINK', delivery: 'cookie' }] })

/** The sealed context of an emailed link (what it is for), as the API put it in the link. */
const LinkContextParamSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,1024}$', description: 'what the link is for (organization, address), sealed by this API when it sent the link' })

/** The landing page's query: lenient, so a truncated or mangled link still gets a readable page. */
export const MagicLinkLandingQuerySchema = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 1024, description: 'the single-use token Stytch appended to the link' })),
  stytch_token_type: Type.Optional(Type.String({ maxLength: 64 })),
  context: Type.Optional(Type.String({ maxLength: 1024, description: 'what the link is for, sealed by this API when it sent the link' })),
  next: Type.Optional(Type.String({ maxLength: 2048, description: 'where to go after the login: honoured only when it is one of LOGIN_REDIRECT_URLS' }))
})

/** The confirmation form of the landing page (application/x-www-form-urlencoded). */
export const MagicLinkConfirmBodySchema = Type.Object({
  token: MagicLinkTokenSchema,
  context: Type.Optional(LinkContextParamSchema),
  next: Type.Optional(Type.String({ maxLength: 2048 }))
}, { additionalProperties: false, examples: [{ token: 'PASTE_THE_TOKEN_OF_THE_EMAILED_LINK' }] })

export const LoginSchema = Type.Object({
  member: Type.Ref(MemberSchema),
  organization: Type.Ref(OrganizationSchema),
  session: Type.Ref(SessionSchema),
  session_token: Type.Optional(Type.String({ description: 'only with delivery=body' })),
  session_jwt: Type.Optional(Type.String({ description: 'only with delivery=body' }))
}, { $id: 'Login', additionalProperties: false })

export const RefreshSessionBodySchema = Type.Object({ session_token: SessionTokenSchema }, { additionalProperties: false, examples: [{ session_token: 'PASTE_THE_SESSION_TOKEN_HERE' }] })

export const RefreshedSessionSchema = Type.Object({
  session_jwt: Type.String({ description: 'fresh session JWT (valid for a few minutes)' }),
  session: Type.Ref(SessionSchema)
}, { $id: 'RefreshedSession', additionalProperties: false })

export type Login = Static<typeof LoginSchema>
