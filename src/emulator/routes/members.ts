import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { requestId } from '../ids.js'
import { errors, sessionHeaderRules } from '../inferred.js'
import { JsonObject, MemberPathParams, OrganizationIdParams, StringList } from '../schemas.js'
import { authorizeMemberCreation, requireMemberAction, requireSameOrganization, resolveActor } from '../session-header.js'
import { type EmulatorState, type Organization, type StoredMember } from '../state.js'
import {
  findMember, insertMember, memberByEmail, publicMember, publicOrganization, requireMember, requireOrganization,
  softDeleteMember, touch
} from '../store.js'
import { checkExplicitRoles, initialMetadata, normalizeEmail } from '../validate.js'

const CreateBody = Type.Object({
  email_address: Type.String(),
  name: Type.Optional(Type.String()),
  trusted_metadata: Type.Optional(JsonObject),
  untrusted_metadata: Type.Optional(JsonObject),
  create_member_as_pending: Type.Optional(Type.Boolean()),
  is_breakglass: Type.Optional(Type.Boolean()),
  mfa_phone_number: Type.Optional(Type.String()),
  mfa_enrolled: Type.Optional(Type.Boolean()),
  roles: Type.Optional(StringList),
  external_id: Type.Optional(Type.String())
})
const GetQuery = Type.Object({ member_id: Type.Optional(Type.String()), email_address: Type.Optional(Type.String()) })
const DangerouslyGetQuery = Type.Object({ include_deleted: Type.Optional(Type.String()) })
const MemberIdParams = Type.Object({ member_id: Type.String() })

/** The `{ member_id, member, organization }` body of create/get/update/reactivate. */
export function memberResponse (state: EmulatorState, member: StoredMember, organization: Organization): Record<string, unknown> {
  return {
    request_id: requestId(),
    status_code: 200,
    member_id: member.member_id,
    member: publicMember(state, member),
    organization: publicOrganization(organization)
  }
}

/** External ids are unique within an organization ([SDK] types). */
export function checkExternalIdFree (state: EmulatorState, organization: Organization, externalId: string | undefined, selfId?: string): void {
  if (externalId === undefined || externalId === '') return
  const holder = findMember(state, organization, externalId)
  if (holder !== undefined && holder.member_id !== selfId) throw new StytchApiError(errors.duplicateExternalId)
}

/** members create / get / delete / reactivate / dangerously_get (reference §9.2). Update is in member-update.ts. */
export const memberRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.post('/v1/b2b/organizations/:organization_id/members', {
    schema: { params: OrganizationIdParams, body: CreateBody }
  }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const body = request.body
    await authorizeMemberCreation(state, request, organization.organization_id, body.trusted_metadata)
    const email = normalizeEmail(body.email_address)
    if (memberByEmail(state, organization.organization_id, email) !== undefined) throw new StytchApiError(errors.duplicateMemberEmail)
    checkExternalIdFree(state, organization, body.external_id)
    const member = insertMember(state, organization, {
      email_address: email,
      status: body.create_member_as_pending === true ? 'pending' : 'active',
      name: body.name,
      explicit_roles: checkExplicitRoles(state, organization, body.roles ?? []),
      trusted_metadata: initialMetadata(body.trusted_metadata),
      untrusted_metadata: initialMetadata(body.untrusted_metadata),
      is_breakglass: body.is_breakglass,
      mfa_phone_number: body.mfa_phone_number,
      mfa_enrolled: body.mfa_enrolled,
      external_id: body.external_id
    })
    return memberResponse(state, member, organization)
  })

  // Singular `member`: the SDK's members.get (reference §3 row 18).
  app.get('/v1/b2b/organizations/:organization_id/member', {
    schema: { params: OrganizationIdParams, querystring: GetQuery }
  }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const { member_id: memberId, email_address: email } = request.query
    let member: StoredMember | undefined
    if (memberId !== undefined) member = findMember(state, organization, memberId)
    else if (email !== undefined) member = memberByEmail(state, organization.organization_id, email.trim().toLowerCase())
    else throw new StytchApiError(errors.invalidArgument, 'Either member_id or email_address must be provided.')
    if (member === undefined) throw new StytchApiError(errors.memberNotFound)
    return memberResponse(state, member, organization)
  })

  app.delete('/v1/b2b/organizations/:organization_id/members/:member_id', {
    schema: { params: MemberPathParams }
  }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const member = requireMember(state, organization, request.params.member_id)
    const actor = await resolveActor(state, request)
    if (actor !== undefined) {
      requireSameOrganization(actor, organization.organization_id)
      const rule = sessionHeaderRules.memberDelete
      requireMemberAction(state, actor, rule.action, member.member_id, rule.selfAllowed)
    }
    softDeleteMember(state, member)
    return { request_id: requestId(), status_code: 200, member_id: member.member_id }
  })

  app.put('/v1/b2b/organizations/:organization_id/members/:member_id/reactivate', {
    schema: { params: MemberPathParams }
  }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const member = state.members.get(request.params.member_id)
    if (member?.organization_id !== organization.organization_id || member.status !== 'deleted') {
      throw new StytchApiError(errors.noDeletedMemberToReactivate)
    }
    const actor = await resolveActor(state, request)
    if (actor !== undefined) {
      requireSameOrganization(actor, organization.organization_id)
      const rule = sessionHeaderRules.memberReactivate
      requireMemberAction(state, actor, rule.action, member.member_id, rule.selfAllowed)
    }
    if (!member.email_address_verified) throw new StytchApiError(errors.reactivateUnverifiedEmail)
    if (memberByEmail(state, organization.organization_id, member.email_address) !== undefined) {
      throw new StytchApiError(errors.duplicateMemberEmail)
    }
    member.status = 'active'
    touch(state, member)
    return memberResponse(state, member, organization)
  })

  app.get('/v1/b2b/organizations/members/dangerously_get/:member_id', {
    schema: { params: MemberIdParams, querystring: DangerouslyGetQuery }
  }, async (request) => {
    const member = state.members.get(request.params.member_id)
    const includeDeleted = request.query.include_deleted === 'true'
    const organization = member === undefined ? undefined : state.organizations.get(member.organization_id)
    if (member === undefined || organization === undefined || (member.status === 'deleted' && !includeDeleted)) {
      throw new StytchApiError(errors.memberNotFound)
    }
    return memberResponse(state, member, organization)
  })
}
