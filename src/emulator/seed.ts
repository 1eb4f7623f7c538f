import { findOrganization, insertMember, insertOrganization } from './store.js'
import { type EmulatorState } from './state.js'

/** The dev seed of the contract: Acme (three members) and Globex (one admin), JIT restricted to their domains. */
export const seedOrganizations = [
  {
    name: 'Acme',
    slug: 'acme',
    domain: 'acme.test',
    members: [
      { email: 'admin@acme.test', name: 'Acme Admin', roles: ['stytch_admin'] },
      { email: 'editor@acme.test', name: 'Acme Editor', roles: ['editor'] },
      { email: 'viewer@acme.test', name: 'Acme Viewer', roles: ['viewer'] }
    ]
  },
  {
    name: 'Globex',
    slug: 'globex',
    domain: 'globex.test',
    members: [{ email: 'admin@globex.test', name: 'Globex Admin', roles: ['stytch_admin'] }]
  }
]

/** Adds the seed organizations that are not there yet (by slug): applying it twice creates no duplicates. */
export function applySeed (state: EmulatorState): void {
  for (const seed of seedOrganizations) {
    if (findOrganization(state, seed.slug) !== undefined) continue
    const organization = insertOrganization(state, {
      organization_name: seed.name,
      organization_slug: seed.slug,
      email_invites: 'ALL_ALLOWED',
      email_jit_provisioning: 'RESTRICTED',
      email_allowed_domains: [seed.domain]
    })
    for (const member of seed.members) {
      insertMember(state, organization, {
        email_address: member.email,
        name: member.name,
        status: 'active',
        explicit_roles: member.roles
      })
    }
  }
}
