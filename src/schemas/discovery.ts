import { Type, type Static } from '@sinclair/typebox'
import { CHALLENGE_PATTERN, VERIFIER_PATTERN } from '../auth/pkce.js'
import { EmailAddressSchema, MagicLinkTokenSchema, ORGANIZATION_REF_PATTERN } from './primitives.js'

/** Stytch's intermediate session token: opaque, like a session token. */
const IntermediateSessionTokenSchema = Type.String({
  pattern: '^[A-Za-z0-9_-]{20,200}$',
  description: 'the intermediate session token from authenticateDiscoveryMagicLink with `delivery: "body"`; without it, the HttpOnly intermediate-session cookie is used'
})

const DeliverySchema = Type.Union([Type.Literal('cookie'), Type.Literal('body')], {
  default: 'cookie',
  description: '`cookie` (browsers): HttpOnly cookies. `body` (mobile, API clients): the tokens are returned in the body and no cookie is set.'
})

export const SendDiscoveryLinkBodySchema = Type.Object({
  email_address: EmailAddressSchema,
  pkce_code_challenge: Type.Optional(Type.String({
    pattern: CHALLENGE_PATTERN,
    description: 'Apps that complete the login themselves: base64url(SHA-256(verifier)) of a random verifier they keep, passed later as `pkce_code_verifier` to authenticateDiscoveryMagicLink. Without it (browsers) the API keeps the verifier in an HttpOnly cookie.'
  }))
}, { additionalProperties: false, examples: [{ email_address: 'admin@acme.test' }] })

export const AuthenticateDiscoveryBodySchema = Type.Object({
  token: MagicLinkTokenSchema,
  delivery: DeliverySchema,
  pkce_code_verifier: Type.Optional(Type.String({
    pattern: VERIFIER_PATTERN,
    description: 'The verifier whose challenge was passed to sendDiscoveryMagicLink. Without it, the verifier cookie set by sendDiscoveryMagicLink is used, if the browser sends one.'
  }))
}, { additionalProperties: false, examples: [{ token: 'PASTE_THE_TOKEN_OF_THE_EMAILED_LINK', delivery: 'cookie' }] })

export const IntermediateSessionBodySchema = Type.Object({
  intermediate_session_token: Type.Optional(IntermediateSessionTokenSchema)
}, { additionalProperties: false, examples: [{}] })

export const ExchangeIntermediateSessionBodySchema = Type.Object({
  organization_id: Type.String({ pattern: ORGANIZATION_REF_PATTERN, description: 'the organization to log in to (id or slug), one of the discovered organizations' }),
  intermediate_session_token: Type.Optional(IntermediateSessionTokenSchema),
  delivery: DeliverySchema
}, { additionalProperties: false, examples: [{ organization_id: 'acme', delivery: 'cookie' }] })

export const CreateOrganizationBodySchema = Type.Object({
  organization_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'default: derived from the email address' })),
  organization_slug: Type.Optional(Type.String({ pattern: ORGANIZATION_REF_PATTERN, description: 'unique; default: derived from the email address' })),
  intermediate_session_token: Type.Optional(IntermediateSessionTokenSchema),
  delivery: DeliverySchema
}, { additionalProperties: false, examples: [{ organization_name: 'Initech', organization_slug: 'initech', delivery: 'cookie' }] })

export const DiscoveredOrganizationSchema = Type.Object({
  organization_id: Type.String({ examples: ['organization-test-8a3f6d0e-3b7c-4a0e-8d5e-2f1c9b7a6e55'] }),
  organization_slug: Type.String({ examples: ['acme'] }),
  organization_name: Type.String({ examples: ['Acme'] }),
  organization_logo_url: Type.String(),
  membership: Type.Union(['active_member', 'pending_member', 'invited_member', 'eligible_to_join_by_email_domain', 'eligible_to_join_by_oauth_tenant'].map((v) => Type.Literal(v)), {
    description: 'how the address relates to the organization: a member (active, pending, invited), or allowed to join by its email domain'
  }),
  member_id: Type.Optional(Type.String({ description: 'the member record, when one exists' })),
  can_enter: Type.Boolean({ description: 'true: exchangeIntermediateSession / switchOrganization logs in at once; false: the organization needs what `requires` says' }),
  requires: Type.Optional(Type.Union([Type.Literal('primary_auth'), Type.Literal('mfa')], {
    description: '`primary_auth`: the organization allows only the methods in `allowed_auth_methods`; `mfa`: it requires a second factor'
  })),
  allowed_auth_methods: Type.Optional(Type.Array(Type.String()))
}, { $id: 'DiscoveredOrganization', additionalProperties: false })

export const DiscoveredOrganizationListSchema = Type.Object({
  email_address: Type.String(),
  organizations: Type.Array(Type.Ref(DiscoveredOrganizationSchema))
}, { $id: 'DiscoveredOrganizationList', additionalProperties: false })

export const DiscoveryLoginSchema = Type.Object({
  email_address: Type.String(),
  organizations: Type.Array(Type.Ref(DiscoveredOrganizationSchema)),
  can_create_organization: Type.Boolean({ description: 'whether createOrganizationViaDiscovery is enabled (DISCOVERY_CREATE_ORGANIZATIONS)' }),
  intermediate_session_expires_at: Type.String({ format: 'date-time', description: 'pick (or create) an organization before this (about 10 minutes)' }),
  intermediate_session_token: Type.Optional(Type.String({ description: 'only with delivery=body' }))
}, { $id: 'DiscoveryLogin', additionalProperties: false })

export const SwitchOrganizationParamsSchema = Type.Object({
  organizationId: Type.String({ pattern: ORGANIZATION_REF_PATTERN, description: 'the organization to switch to (id or slug)' })
})

export type DiscoveredOrganization = Static<typeof DiscoveredOrganizationSchema>
export type DiscoveryLogin = Static<typeof DiscoveryLoginSchema>
