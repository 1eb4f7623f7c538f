import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { newId } from '../ids.js'
import { errors, memberFieldsRefusedWithSession } from '../inferred.js'
import { JsonObject, MemberPathParams, StringList } from '../schemas.js'
import { requireMemberAction, requireSameOrganization, resolveActor, type Actor } from '../session-header.js'
import { type EmulatorState, type StoredMember } from '../state.js'
import { definedOnly, memberByEmail, requireMember, requireOrganization, touch } from '../store.js'
import { checkExplicitRoles, mergeMetadata, normalizeEmail } from '../validate.js'
import { checkExternalIdFree, memberResponse } from './members.js'

const UpdateBody = Type.Object({
  name: Type.Optional(Type.String()),
  trusted_metadata: Type.Optional(JsonObject),
  untrusted_metadata: Type.Optional(JsonObject),
  is_breakglass: Type.Optional(Type.Boolean()),
  mfa_phone_number: Type.Optional(Type.String()),
  mfa_enrolled: Type.Optional(Type.Boolean()),
  roles: Type.Optional(StringList),
  preserve_existing_sessions: Type.Optional(Type.Boolean()),
  default_mfa_method: Type.Optional(Type.String()),
  email_address: Type.Optional(Type.String()),
  external_id: Type.Optional(Type.String()),
  unlink_email: Type.Optional(Type.Boolean())
})

/**
 * Field → the action a session header needs ([SDK] types, §8.5): on stytch.member, or on stytch.self when
 * `self` is true and the member edits their own record. Fields not listed need no permission of their own.
 */
const fieldActions: Record<string, { action: string, self: boolean }> = {
  name: { action: 'update.info.name', self: true },
  untrusted_metadata: { action: 'update.info.untrusted-metadata', self: true },
  mfa_phone_number: { action: 'update.info.mfa-phone', self: true },
  mfa_enrolled: { action: 'update.settings.mfa-enrolled', self: true },
  default_mfa_method: { action: 'update.settings.default-mfa-method', self: true },
  is_breakglass: { action: 'update.settings.is-breakglass', self: false },
  roles: { action: 'update.settings.roles', self: false },
  email_address: { action: 'update.info.email', self: false }
}

function checkFieldPermissions (state: EmulatorState, actor: Actor, target: StoredMember, fields: string[]): void {
  if (fields.includes('trusted_metadata')) throw new StytchApiError(errors.cannotUpdateTrustedMetadata)
  if (fields.includes('email_address') && actor.member.member_id === target.member_id) {
    throw new StytchApiError(errors.memberCannotUpdateOwnEmail)
  }
  for (const field of fields) {
    if (memberFieldsRefusedWithSession.includes(field)) throw new StytchApiError(errors.authorizationDenied)
    const rule = fieldActions[field]
    if (rule !== undefined) requireMemberAction(state, actor, rule.action, target.member_id, rule.self)
  }
}

/** A new email must be re-verified; the old one is retired unless `unlink_email` ([SDK doc comment]). */
function changeEmail (state: EmulatorState, member: StoredMember, rawEmail: string, unlink: boolean): void {
  const email = normalizeEmail(rawEmail)
  if (email === member.email_address) return
  if (memberByEmail(state, member.organization_id, email) !== undefined) throw new StytchApiError(errors.duplicateMemberEmail)
  if (!unlink) member.retired_email_addresses.push({ email_id: member.email_id, email_address: member.email_address })
  member.email_address = email
  member.email_id = newId('email')
  member.email_address_verified = false
}

/** members.update (reference §9.2): metadata merges, roles replace the explicit roles. */
export const memberUpdateRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.put('/v1/b2b/organizations/:organization_id/members/:member_id', {
    schema: { params: MemberPathParams, body: UpdateBody }
  }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const member = requireMember(state, organization, request.params.member_id)
    const body = definedOnly(request.body)
    const actor = await resolveActor(state, request)
    if (actor !== undefined) {
      requireSameOrganization(actor, organization.organization_id)
      checkFieldPermissions(state, actor, member, Object.keys(body))
    }
    // Validate everything before changing anything, so a rejected update leaves the member untouched.
    const roles = body.roles === undefined ? undefined : checkExplicitRoles(state, organization, body.roles)
    const trusted = body.trusted_metadata === undefined ? undefined : mergeMetadata(member.trusted_metadata, body.trusted_metadata)
    const untrusted = body.untrusted_metadata === undefined
      ? undefined
      : mergeMetadata(member.untrusted_metadata, body.untrusted_metadata)
    checkExternalIdFree(state, organization, body.external_id, member.member_id)
    if (body.email_address !== undefined) changeEmail(state, member, body.email_address, body.unlink_email === true)

    if (body.name !== undefined) member.name = body.name
    if (trusted !== undefined) member.trusted_metadata = trusted
    if (untrusted !== undefined) member.untrusted_metadata = untrusted
    if (body.is_breakglass !== undefined) member.is_breakglass = body.is_breakglass
    if (body.mfa_phone_number !== undefined) member.mfa_phone_number = body.mfa_phone_number
    if (body.mfa_enrolled !== undefined) member.mfa_enrolled = body.mfa_enrolled
    if (body.default_mfa_method !== undefined) member.default_mfa_method = body.default_mfa_method
    if (roles !== undefined) member.explicit_roles = roles
    if (body.external_id !== undefined) {
      if (body.external_id === '') delete member.external_id
      else member.external_id = body.external_id
    }
    touch(state, member)
    return memberResponse(state, member, organization)
  })
}
