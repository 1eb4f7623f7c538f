import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { PermissionDeniedError } from '../../src/errors.js'
import type { OrganizationProfile, UpdateOrganizationBody } from '../../src/schemas/organization.js'
import { organizationProfile } from '../../src/stytch/organization-profile.js'

/**
 * The organizations service (`fastify.organizations`): the session's own organization, read for any
 * of its members and changed by its admins. Stytch is the source of truth; updates carry the admin's
 * session, so Stytch enforces its `stytch.organization` permissions too.
 */
function createOrganizationService (fastify: FastifyInstance) {
  const { client } = fastify.stytch
  const manage = (action: string) => ({ kind: 'manage' as const, action, resource: 'stytch.organization' })

  /**
   * The organization a path names must be the session's (by id or slug), as for the routes whose
   * permission is checked in the organization of the path: refused locally, before any Stytch call.
   */
  function ownOrganization (request: FastifyRequest, organizationId: string): string {
    const { organization } = request.requireAuth()
    if (organizationId !== organization.organization_id && organizationId !== organization.organization_slug) {
      throw new PermissionDeniedError('read', 'another organization')
    }
    return organization.organization_id
  }

  return {
    ownOrganization,

    /** The organization as its members see it; any member of it may read it. */
    async get (request: FastifyRequest, organizationId: string): Promise<OrganizationProfile> {
      const id = ownOrganization(request, organizationId)
      const response = await fastify.stytch.call(manage('read'), () => client.organizations.get({ organization_id: id }))
      return organizationProfile(response.organization)
    },

    /** Changes the given fields (name, slug, logo, allowed domains, JIT and invite settings) with the admin's session. */
    async update (request: FastifyRequest, change: UpdateOrganizationBody): Promise<OrganizationProfile> {
      const { organization } = request.requireAuth()
      const response = await fastify.stytch.call(manage('update'), () => client.organizations.update({
        organization_id: organization.organization_id,
        ...change
      }, { authorization: fastify.sessions.authorizationOf(request) }))
      await fastify.audit.record(request, { type: 'organization_updated', details: { changed: Object.keys(change).sort() } })
      return organizationProfile(response.organization)
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    organizations: ReturnType<typeof createOrganizationService>
  }
}

export default fp(async function organizations (fastify: FastifyInstance) {
  fastify.decorate('organizations', createOrganizationService(fastify))
}, { name: 'organizations', dependencies: ['stytch', 'sessions', 'audit'] })
