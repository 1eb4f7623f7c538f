import { Type, type Static } from '@sinclair/typebox'
import { EmailAddressSchema, RoleIdSchema } from './primitives.js'

export const ShippingAddressSchema = Type.Object({
  line1: Type.String({ minLength: 1, maxLength: 200, examples: ['1 Main Street'] }),
  line2: Type.Optional(Type.String({ maxLength: 200 })),
  city: Type.String({ minLength: 1, maxLength: 100, examples: ['Springfield'] }),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  postal_code: Type.String({ minLength: 1, maxLength: 20, examples: ['12345'] }),
  country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2', examples: ['US'] })
}, { $id: 'ShippingAddress', additionalProperties: false })

export const MemberProfileSchema = Type.Object({
  member_id: Type.String(),
  organization_id: Type.String(),
  email_address: Type.String(),
  name: Type.String(),
  status: Type.String({ examples: ['active', 'invited'] }),
  roles: Type.Array(Type.String(), { examples: [['stytch_member', 'editor']] }),
  shipping_address: Type.Union([Type.Ref(ShippingAddressSchema), Type.Null()])
}, {
  $id: 'MemberProfile',
  additionalProperties: false,
  description: 'A member as Stytch stores it.',
  examples: [{
    member_id: 'member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01',
    organization_id: 'organization-test-8a3f6d0e-3b7c-4a0e-8d5e-2f1c9b7a6e55',
    email_address: 'editor@acme.test',
    name: 'Acme Editor',
    status: 'active',
    roles: ['stytch_member', 'editor'],
    shipping_address: { line1: '1 Main Street', city: 'Springfield', postal_code: '12345', country: 'US' }
  }]
})

export const UpdateMeBodySchema = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  shipping_address: Type.Optional(Type.Union([Type.Ref(ShippingAddressSchema), Type.Null()], { description: 'null removes it' }))
}, { additionalProperties: false, minProperties: 1, examples: [{ name: 'Acme Editor', shipping_address: { line1: '1 Main Street', city: 'Springfield', postal_code: '12345', country: 'US' } }] })

export const InviteMemberBodySchema = Type.Object({
  email_address: EmailAddressSchema,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  roles: Type.Optional(Type.Array(RoleIdSchema, { maxItems: 16, uniqueItems: true, description: 'explicit roles besides stytch_member' }))
}, { additionalProperties: false, examples: [{ email_address: 'new.hire@acme.test', name: 'New Hire', roles: ['editor'] }] })

export const UpdateRolesBodySchema = Type.Object({
  roles: Type.Array(RoleIdSchema, { maxItems: 16, uniqueItems: true, description: 'replaces every explicit role; stytch_member is implicit' })
}, { additionalProperties: false, examples: [{ roles: ['editor'] }] })

export type MemberProfile = Static<typeof MemberProfileSchema>
export type ShippingAddress = Static<typeof ShippingAddressSchema>
