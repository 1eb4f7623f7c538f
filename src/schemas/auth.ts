import { Type, type Static } from '@sinclair/typebox'
import { EmailAddressSchema, MagicLinkTokenSchema, OrganizationRefSchema, SessionTokenSchema } from './primitives.js'
import { MemberSchema, OrganizationSchema, SessionSchema } from './session.js'

export const SendLoginLinkBodySchema = Type.Object({
  email_address: EmailAddressSchema,
  organization: OrganizationRefSchema
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
  pkce_code_verifier: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._~-]{43,128}$' }))
}, { additionalProperties: false })

export const LoginSchema = Type.Object({
  member: Type.Ref(MemberSchema),
  organization: Type.Ref(OrganizationSchema),
  session: Type.Ref(SessionSchema),
  session_token: Type.Optional(Type.String({ description: 'only with delivery=body' })),
  session_jwt: Type.Optional(Type.String({ description: 'only with delivery=body' }))
}, { $id: 'Login', additionalProperties: false })

export const RefreshSessionBodySchema = Type.Object({ session_token: SessionTokenSchema }, { additionalProperties: false })

export const RefreshedSessionSchema = Type.Object({
  session_jwt: Type.String({ description: 'fresh session JWT (valid for a few minutes)' }),
  session: Type.Ref(SessionSchema)
}, { $id: 'RefreshedSession', additionalProperties: false })

export type Login = Static<typeof LoginSchema>
