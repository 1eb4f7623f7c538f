import type { Member } from 'stytch'
import type { MemberProfile, ShippingAddress } from '../schemas/member.js'

/** The API's view of a Stytch member: role ids only, and the one untrusted-metadata field we own. */
export function memberProfile (member: Member): MemberProfile {
  const address = (member.untrusted_metadata as { shipping_address?: ShippingAddress | null } | undefined)?.shipping_address
  return {
    member_id: member.member_id,
    organization_id: member.organization_id,
    email_address: member.email_address,
    name: member.name,
    status: member.status,
    roles: member.roles.map((role) => role.role_id),
    shipping_address: address ?? null
  }
}
