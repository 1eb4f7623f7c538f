import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { losesPermissions } from '../../src/rbac/authorize.js'
import type { MemberProfile, ShippingAddress } from '../../src/schemas/member.js'
import type { ListMembersQuery, MemberPage } from '../../src/schemas/organization.js'
import { LastAdminError, NotInvitedError } from '../../src/errors.js'
import { memberProfile } from '../../src/stytch/member-profile.js'
import { directoryPage, localFilter, stytchQuery, type DirectoryFilters } from '../../src/stytch/member-directory.js'
import { createProfileCache, PROFILE_CACHE_MAX_ENTRIES, PROFILE_CACHE_TTL_MS } from '../../src/stytch/profile-cache.js'

/** Stytch's built-in administrator role. */
const ADMIN_ROLE = 'stytch_admin'

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

  /**
   * Profiles read for GET /v1/me/profile, per member, for PROFILE_CACHE_TTL_MS (changes made elsewhere
   * show within it); every change made here replaces or drops the entry at once.
   */
  const profiles = createProfileCache<MemberProfile>({ ttlMs: PROFILE_CACHE_TTL_MS, maxEntries: PROFILE_CACHE_MAX_ENTRIES })

  /** A member of the acting member's organization, as Stytch has it (404 when there is none). */
  async function memberOf (request: FastifyRequest, memberId: string, action: string) {
    const { member } = request.requireAuth()
    return (await fastify.stytch.call(manage(action), () => client.organizations.members.get({ organization_id: member.organization_id, member_id: memberId }))).member
  }

  /** A page of the acting member's organization's members through members.search, with the admin's session. */
  async function search (request: FastifyRequest, filters: DirectoryFilters, page: { limit?: number | undefined, cursor?: string | undefined }): Promise<MemberPage> {
    const { member } = request.requireAuth()
    const query = stytchQuery(filters)
    const authorization = sessions.authorizationOf(request)
    const result = await directoryPage(async (cursor, limit) => {
      const response = await fastify.stytch.call(manage('search'), () => client.organizations.members.search({
        organization_ids: [member.organization_id],
        limit,
        ...(cursor === undefined ? {} : { cursor }),
        query
      }, { authorization }))
      return { members: response.members, next_cursor: response.results_metadata.next_cursor ?? undefined }
    }, { limit: page.limit ?? 20, cursor: page.cursor, filter: localFilter(filters) })
    return { members: result.members.map(memberProfile), next_cursor: result.next_cursor }
  }

  /** An invited member of the organization; anyone else (joined, pending) is a 409. */
  async function invitation (request: FastifyRequest, memberId: string, action: string) {
    const target = await memberOf(request, memberId, action)
    if (target.status !== 'invited') throw new NotInvitedError()
    return target
  }

  return {
    /** The acting member's own profile as Stytch stores it; cached briefly (see `profiles`). */
    async profile (request: FastifyRequest): Promise<MemberProfile> {
      const { member } = request.requireAuth()
      return await profiles.load(member.organization_id, member.member_id, async () => memberProfile(
        (await fastify.stytch.call(manage('read', 'stytch.self'), () => client.organizations.members.get({ organization_id: member.organization_id, member_id: member.member_id }))).member
      ))
    },

    /** One member of the acting member's organization. */
    async get (request: FastifyRequest, memberId: string): Promise<MemberProfile> {
      return memberProfile(await memberOf(request, memberId, 'search'))
    },

    /** The members directory (filters: see src/stytch/member-directory.ts for which Stytch applies). */
    async list (request: FastifyRequest, query: ListMembersQuery): Promise<MemberPage> {
      const { limit, cursor, ...filters } = query
      return await search(request, filters, { limit, cursor })
    },

    /** Pending invitations: the members whose status is `invited`. */
    async listInvitations (request: FastifyRequest, query: { limit?: number, cursor?: string, email?: string }): Promise<MemberPage> {
      const { limit, cursor, email } = query
      return await search(request, { status: 'invited', ...(email === undefined ? {} : { email }) }, { limit, cursor })
    },

    /** Emails an invited member a fresh invite link (Stytch's invite, again, for the same email). */
    async resendInvitation (request: FastifyRequest, memberId: string): Promise<MemberProfile> {
      const { member, organization } = request.requireAuth()
      const target = await invitation(request, memberId, 'create')
      const response = await fastify.stytch.call(manage('create'), () => client.magicLinks.email.invite({
        organization_id: member.organization_id,
        email_address: target.email_address,
        ...fastify.login.inviteLink(organization.organization_slug, target.email_address),
        invited_by_member_id: member.member_id
      }, { authorization: sessions.authorizationOf(request) }))
      return memberProfile(response.member)
    },

    /**
     * Withdraws an invitation: deletes the invited member at Stytch (which voids the invite link). Only
     * while the member is still invited (else 409): a member who joined is removed with removeMember.
     * Not atomic: an invitee accepting at the same instant can be deleted — Stytch has no conditional delete.
     */
    async revokeInvitation (request: FastifyRequest, memberId: string): Promise<void> {
      const { member } = request.requireAuth()
      await invitation(request, memberId, 'delete')
      await fastify.stytch.call(manage('delete'), () => client.organizations.members.delete({ organization_id: member.organization_id, member_id: memberId }, { authorization: sessions.authorizationOf(request) }))
      profiles.delete(member.organization_id, memberId)
    },

    /** The acting member's own name and shipping address (kept in untrusted metadata; other keys are left alone). */
    async updateSelf (request: FastifyRequest, change: { name?: string, shipping_address?: ShippingAddress | null }): Promise<MemberProfile> {
      const { member } = request.requireAuth()
      const response = await fastify.stytch.call(manage('update', 'stytch.self'), () => client.organizations.members.update({
        organization_id: member.organization_id,
        member_id: member.member_id,
        ...(change.name === undefined ? {} : { name: change.name }),
        ...(change.shipping_address === undefined ? {} : { untrusted_metadata: { shipping_address: change.shipping_address } })
      }, { authorization: sessions.authorizationOf(request) }))
      const profile = memberProfile(response.member)
      profiles.set(member.organization_id, member.member_id, profile)
      return profile
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
      profiles.set(target.organization_id, target.member_id, memberProfile(after))
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
      profiles.delete(member.organization_id, memberId)
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
