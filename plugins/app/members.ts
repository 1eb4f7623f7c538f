import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { losesPermissions } from '../../src/rbac/authorize.js'
import type { MemberProfile, ShippingAddress } from '../../src/schemas/member.js'
import { LastAdminError } from '../../src/errors.js'

/** Stytch's built-in administrator role. */
const ADMIN_ROLE = 'stytch_admin'
import { memberProfile } from '../../src/stytch/member-profile.js'

/**
 * The members service (`fastify.members`): Stytch-owned member records changed on a member's
 * behalf. Every call carries the acting member's session, so Stytch enforces its `stytch.member`
 * / `stytch.self` permissions too; failures go through the one Stytch error translation.
 */
function createMemberService (fastify: FastifyInstance) {
  const { client } = fastify.stytch
  const { audit, sessions } = fastify
  const manage = (action: string, resource = 'stytch.member') => ({ kind: 'manage' as const, action, resource })

  /**
   * Refuses a change that would leave the organization without an active `stytch_admin` (nobody
   * could manage it any more). Not atomic: two admins demoting each other at the same instant can
   * both pass — Stytch has no conditional update to close that.
   */
  async function assertAnotherAdmin (organizationId: string, memberId: string): Promise<void> {
    let cursor: string | undefined
    do {
      const page = await fastify.stytch.call({ kind: 'read' }, () => client.organizations.members.search({
        organization_ids: [organizationId],
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
        query: { operator: 'AND', operands: [{ filter_name: 'statuses', filter_value: ['active'] }] }
      }))
      if (page.members.some((m) => m.member_id !== memberId && m.roles.some((r) => r.role_id === ADMIN_ROLE))) return
      cursor = page.results_metadata.next_cursor ?? undefined
    } while (cursor !== undefined && cursor !== '')
    throw new LastAdminError()
  }

  const isAdmin = (roles: Array<{ role_id: string }>): boolean => roles.some((r) => r.role_id === ADMIN_ROLE)

  return {
    /** The acting member's own name and shipping address (kept in untrusted metadata; other keys are left alone). */
    async updateSelf (request: FastifyRequest, change: { name?: string, shipping_address?: ShippingAddress | null }): Promise<MemberProfile> {
      const { member } = request.requireAuth()
      const response = await fastify.stytch.call(manage('update', 'stytch.self'), () => client.organizations.members.update({
        organization_id: member.organization_id,
        member_id: member.member_id,
        ...(change.name === undefined ? {} : { name: change.name }),
        ...(change.shipping_address === undefined ? {} : { untrusted_metadata: { shipping_address: change.shipping_address } })
      }, { authorization: sessions.authorizationOf(request) }))
      return memberProfile(response.member)
    },

    /** Creates the member as `invited` and emails an invite magic link. */
    async invite (request: FastifyRequest, invite: { email_address: string, name?: string, roles?: string[] }): Promise<MemberProfile> {
      const { member, organization } = request.requireAuth()
      const response = await fastify.stytch.call(manage('create'), () => client.magicLinks.email.invite({
        organization_id: member.organization_id,
        email_address: invite.email_address,
        // Its lifetime, and a landing page naming the organization and the invitee: an invite
        // cannot carry PKCE, so it logs in only from that page's explicit confirmation.
        ...fastify.login.inviteLink(organization.organization_slug, invite.email_address),
        invited_by_member_id: member.member_id,
        ...(invite.name === undefined ? {} : { name: invite.name }),
        ...(invite.roles === undefined ? {} : { roles: invite.roles })
      }, { authorization: sessions.authorizationOf(request) }))
      await audit.record(request, {
        type: 'member_invited',
        target_member_id: response.member.member_id,
        details: { email_address: response.member.email_address, roles: invite.roles ?? [] }
      })
      return memberProfile(response.member)
    },

    /**
     * Replaces a member's explicit roles. A member who lost a permission must not keep it for the
     * life of their current JWTs: their sessions are revoked.
     */
    async updateRoles (request: FastifyRequest, memberId: string, roles: string[]): Promise<MemberProfile> {
      const { member } = request.requireAuth()
      const target = { organization_id: member.organization_id, member_id: memberId }
      const call = manage('update.settings.roles')
      const before = (await fastify.stytch.call(call, () => client.organizations.members.get(target))).member
      if (isAdmin(before.roles) && before.status === 'active' && !roles.includes(ADMIN_ROLE)) await assertAnotherAdmin(target.organization_id, memberId)
      const after = (await fastify.stytch.call(call, () => client.organizations.members.update({ ...target, roles }, { authorization: sessions.authorizationOf(request) }))).member
      const policy = await fastify.rbac.policy.roles(target.organization_id)
      const oldRoles = before.roles.map((r) => r.role_id)
      const newRoles = after.roles.map((r) => r.role_id)
      const revoked = losesPermissions(policy, oldRoles, newRoles) ? await sessions.revokeMember(target.organization_id, target.member_id) : 0
      await audit.record(request, { type: 'role_changed', target_member_id: memberId, details: { old_roles: oldRoles, new_roles: newRoles, sessions_revoked: revoked } })
      return memberProfile(after)
    },

    /** Revokes every session of a member of the acting member's organization; the count. */
    async revokeSessions (request: FastifyRequest, memberId: string): Promise<number> {
      const { member } = request.requireAuth()
      const count = await sessions.revokeMember(member.organization_id, memberId, sessions.authorizationOf(request))
      await audit.record(request, { type: 'member_sessions_revoked', target_member_id: memberId, details: { count } })
      return count
    },

    /** Deletes the member at Stytch (which ends their sessions) and revokes their sessions here at once. */
    async remove (request: FastifyRequest, memberId: string): Promise<void> {
      const { member } = request.requireAuth()
      const target = (await fastify.stytch.call(manage('delete'), () => client.organizations.members.get({ organization_id: member.organization_id, member_id: memberId }))).member
      if (isAdmin(target.roles) && target.status === 'active') await assertAnotherAdmin(member.organization_id, memberId)
      const sessionIds = (await sessions.liveSessions(member.organization_id, memberId)).map((s) => s.member_session_id)
      await fastify.stytch.call(manage('delete'), () => client.organizations.members.delete({ organization_id: member.organization_id, member_id: memberId }, { authorization: sessions.authorizationOf(request) }))
      await sessions.markRevoked(sessionIds)
      await sessions.forgetMemberDevices(member.organization_id, memberId)
      await audit.record(request, { type: 'member_removed', target_member_id: memberId, details: { email_address: target.email_address, roles: target.roles.map((r) => r.role_id), sessions_revoked: sessionIds.length } })
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    members: ReturnType<typeof createMemberService>
  }
}

export default fp(async function members (fastify: FastifyInstance) {
  fastify.decorate('members', createMemberService(fastify))
}, { name: 'members', dependencies: ['stytch', 'sessions', 'login', 'rbac', 'audit'] })
