import { Type } from '@sinclair/typebox'
import { PolicyRoleSchema } from '../rbac/policy.js'

/** Shared request-schema pieces. Types only: ranges and formats are checked in code, with Stytch's error types. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown())
export const StringList = Type.Array(Type.String())

export const OrganizationIdParams = Type.Object({ organization_id: Type.String() })
export const MemberPathParams = Type.Object({ organization_id: Type.String(), member_id: Type.String() })

export const AuthorizationCheck = Type.Object({
  organization_id: Type.String(),
  resource_id: Type.String(),
  action: Type.String()
})

export const SearchQuery = Type.Object({
  operator: Type.String(),
  operands: Type.Array(Type.Object({ filter_name: Type.String() }, { additionalProperties: true }))
})

export const SearchPaging = {
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer()),
  query: Type.Optional(SearchQuery)
}

export const EmailImplicitRoleAssignments = Type.Array(Type.Object({ domain: Type.String(), role_id: Type.String() }))

export const PolicyRoles = Type.Array(PolicyRoleSchema)

export const LinkTypeSchema = Type.Union([Type.Literal('login'), Type.Literal('signup'), Type.Literal('invite')])

/** What an outbox message is: an organization's link, or a discovery link (for an address, no organization). */
export const OutboxTypeSchema = Type.Union([LinkTypeSchema, Type.Literal('discovery')])

/** An email the emulator "sent" (GET /emulator/outbox): the link, and its token for tests. */
export const OutboxMessageSchema = Type.Object({
  email_address: Type.String(),
  type: OutboxTypeSchema,
  /** Empty for a discovery link (it names no organization, nor member), as are organization_slug and member_id. */
  organization_id: Type.String(),
  organization_slug: Type.String(),
  member_id: Type.String(),
  link: Type.String(),
  token: Type.String(),
  redirect_url: Type.String(),
  sent_at: Type.String(),
  /** When the link stops working (sent_at + the requested or default lifetime). */
  expires_at: Type.String(),
  /** The PKCE challenge the link was sent with (null: none, e.g. every invite). */
  pkce_code_challenge: Type.Union([Type.String(), Type.Null()])
})

function oneOf (...values: string[]) {
  return Type.Union(values.map((value) => Type.Literal(value)))
}
const allOrSomeOrNone = oneOf('ALL_ALLOWED', 'RESTRICTED', 'NOT_ALLOWED')
const someOrNone = oneOf('RESTRICTED', 'NOT_ALLOWED')
const allOrSome = oneOf('ALL_ALLOWED', 'RESTRICTED')

/** The mutable organization settings, shared by create and update (reference §9.1). */
export const OrganizationSettings = {
  organization_logo_url: Type.Optional(Type.String()),
  trusted_metadata: Type.Optional(JsonObject),
  organization_external_id: Type.Optional(Type.String()),
  sso_default_connection_id: Type.Optional(Type.String()),
  sso_jit_provisioning: Type.Optional(allOrSomeOrNone),
  sso_jit_provisioning_allowed_connections: Type.Optional(StringList),
  email_allowed_domains: Type.Optional(StringList),
  email_jit_provisioning: Type.Optional(someOrNone),
  email_invites: Type.Optional(allOrSomeOrNone),
  auth_methods: Type.Optional(allOrSome),
  allowed_auth_methods: Type.Optional(StringList),
  mfa_policy: Type.Optional(oneOf('OPTIONAL', 'REQUIRED_FOR_ALL')),
  rbac_email_implicit_role_assignments: Type.Optional(EmailImplicitRoleAssignments),
  mfa_methods: Type.Optional(allOrSome),
  allowed_mfa_methods: Type.Optional(StringList),
  oauth_tenant_jit_provisioning: Type.Optional(someOrNone),
  allowed_oauth_tenants: Type.Optional(JsonObject),
  claimed_email_domains: Type.Optional(StringList),
  first_party_connected_apps_allowed_type: Type.Optional(Type.String()),
  allowed_first_party_connected_apps: Type.Optional(StringList),
  third_party_connected_apps_allowed_type: Type.Optional(Type.String()),
  allowed_third_party_connected_apps: Type.Optional(StringList)
}
