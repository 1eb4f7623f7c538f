import { Type, type Static } from '@sinclair/typebox'
import { NullableString } from './common.js'
import { MemberProfileSchema } from './member.js'
import { RoleIdSchema } from './primitives.js'

/** A domain name as Stytch takes it in `email_allowed_domains` (lower-cased by Stytch; no scheme, no `@`). */
const DomainSchema = Type.String({ format: 'hostname', minLength: 3, maxLength: 253, pattern: '\\.', examples: ['acme.test'] })

const EmailJitProvisioning = Type.Union([Type.Literal('RESTRICTED'), Type.Literal('NOT_ALLOWED')], {
  description: '`RESTRICTED`: a new member whose verified email is in `email_allowed_domains` joins by logging in; `NOT_ALLOWED`: nobody joins that way'
})
const EmailInvites = Type.Union([Type.Literal('ALL_ALLOWED'), Type.Literal('RESTRICTED'), Type.Literal('NOT_ALLOWED')], {
  description: '`ALL_ALLOWED`: any email can be invited; `RESTRICTED`: only emails in `email_allowed_domains`; `NOT_ALLOWED`: no invites'
})

/**
 * What every member of an organization may see of it: who it is, and the settings that explain how
 * people log in and join. Left out on purpose: trusted metadata, the external id, SSO / SCIM / OAuth
 * tenant configuration, email-domain role rules and connected apps (admin configuration, some of it
 * security-relevant, none of it needed to use the app).
 */
export const OrganizationProfileSchema = Type.Object({
  organization_id: Type.String({ examples: ['organization-test-8a3f6d0e-3b7c-4a0e-8d5e-2f1c9b7a6e55'] }),
  organization_name: Type.String({ examples: ['Acme'] }),
  organization_slug: Type.String({ examples: ['acme'] }),
  organization_logo_url: Type.String({ description: 'empty when none is set' }),
  email_allowed_domains: Type.Array(Type.String(), { examples: [['acme.test']] }),
  email_jit_provisioning: Type.String({ examples: ['RESTRICTED'] }),
  email_invites: Type.String({ examples: ['ALL_ALLOWED'] }),
  auth_methods: Type.String({ examples: ['ALL_ALLOWED'] }),
  allowed_auth_methods: Type.Array(Type.String()),
  mfa_policy: Type.String({ examples: ['OPTIONAL'] }),
  created_at: NullableString({ format: 'date-time' }),
  updated_at: NullableString({ format: 'date-time' })
}, { $id: 'OrganizationProfile', additionalProperties: false, description: 'An organization as its members see it (Stytch is the source of truth).' })

export const UpdateOrganizationBodySchema = Type.Object({
  organization_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  organization_slug: Type.Optional(Type.String({
    pattern: '^(?=.*[A-Za-z0-9])[A-Za-z0-9._~-]{2,128}$',
    description: 'unique across the project; 2–128 of `A-Za-z0-9-._~`, at least one alphanumeric. Login links name it: tell your members.'
  })),
  organization_logo_url: Type.Optional(Type.Union([
    Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }),
    Type.Literal('')
  ], { description: 'an http(s) URL; empty removes the logo' })),
  email_allowed_domains: Type.Optional(Type.Array(DomainSchema, {
    maxItems: 64,
    uniqueItems: true,
    description: 'replaces the list; common email providers (e.g. gmail.com) are refused by Stytch (400)'
  })),
  email_jit_provisioning: Type.Optional(EmailJitProvisioning),
  email_invites: Type.Optional(EmailInvites)
}, {
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change; the others are left alone. The organization must keep at least one way for new members to join (Stytch refuses otherwise: 400).',
  examples: [{ organization_name: 'Acme Inc.', email_allowed_domains: ['acme.test'], email_jit_provisioning: 'RESTRICTED' }]
})

export const MemberStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('invited'), Type.Literal('pending')])

const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'page size (default 20)' })),
  cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,1024}$', description: 'the `next_cursor` of the previous page (with the same filters)' }))
}
const EmailPrefix = Type.String({ minLength: 1, maxLength: 254, description: 'case-insensitive prefix of the email address' })

export const ListMembersQuerySchema = Type.Object({
  ...PageQuery,
  status: Type.Optional(MemberStatusSchema),
  role: Type.Optional({ ...RoleIdSchema, description: 'members holding this role (explicit, implicit or `stytch_member`)' }),
  email: Type.Optional(EmailPrefix),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'case-insensitive prefix of the name' }))
}, { additionalProperties: false })

export const ListInvitationsQuerySchema = Type.Object({
  ...PageQuery,
  email: Type.Optional(EmailPrefix)
}, { additionalProperties: false })

export const MemberPageSchema = Type.Object({
  members: Type.Array(Type.Ref(MemberProfileSchema)),
  next_cursor: NullableString({ description: 'pass as `cursor` (with the same filters) for the next page; null on the last page. A page may hold fewer than `limit` members while more follow.' })
}, { $id: 'MemberPage', additionalProperties: false })

export type OrganizationProfile = Static<typeof OrganizationProfileSchema>
export type UpdateOrganizationBody = Static<typeof UpdateOrganizationBodySchema>
export type ListMembersQuery = Static<typeof ListMembersQuerySchema>
export type MemberPage = Static<typeof MemberPageSchema>
