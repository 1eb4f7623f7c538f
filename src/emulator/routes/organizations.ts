import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { requestId } from '../ids.js'
import { errors, organizationFieldsRefusedWithSession, sessionHeaderRules } from '../inferred.js'
import {
  checkIdentity, checkImplicitRoles, checkProvisioningStillPossible, normalizeDomains, organizationFieldActions
} from '../organization-rules.js'
import { OrganizationIdParams, OrganizationSettings } from '../schemas.js'
import { requireAction, requireSameOrganization, resolveActor, type Actor } from '../session-header.js'
import { type EmulatorState } from '../state.js'
import { definedOnly, deleteOrganization, insertOrganization, publicOrganization, requireOrganization, touch } from '../store.js'
import { initialMetadata, mergeMetadata } from '../validate.js'

const CreateBody = Type.Object({
  organization_name: Type.String(),
  organization_slug: Type.String(),
  ...OrganizationSettings
})

const UpdateBody = Type.Object({
  organization_name: Type.Optional(Type.String()),
  organization_slug: Type.Optional(Type.String()),
  ...OrganizationSettings
})

/** With a session header every provided field needs its own stytch.organization action (§8.5). */
function checkUpdatePermissions (state: EmulatorState, actor: Actor, fields: string[]): void {
  if (fields.includes('trusted_metadata')) throw new StytchApiError(errors.cannotUpdateTrustedMetadata)
  for (const field of fields) {
    const action = organizationFieldActions[field]
    if (action === undefined || organizationFieldsRefusedWithSession.includes(field)) {
      throw new StytchApiError(errors.authorizationDenied)
    }
    requireAction(state, actor, 'stytch.organization', action)
  }
}

/** organizations create / get / update / delete (reference §9.1). Search lives in search.ts. */
export const organizationRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.post('/v1/b2b/organizations', { schema: { body: CreateBody } }, async (request) => {
    const body = request.body
    checkIdentity(state, body)
    const organization = insertOrganization(state, {
      ...body,
      trusted_metadata: initialMetadata(body.trusted_metadata),
      email_allowed_domains: normalizeDomains(body.email_allowed_domains),
      rbac_email_implicit_role_assignments: checkImplicitRoles(state, { custom_roles: [] }, body.rbac_email_implicit_role_assignments)
    })
    return { request_id: requestId(), status_code: 200, organization: publicOrganization(organization) }
  })

  app.get('/v1/b2b/organizations/:organization_id', { schema: { params: OrganizationIdParams } }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    return { request_id: requestId(), status_code: 200, organization: publicOrganization(organization) }
  })

  app.put('/v1/b2b/organizations/:organization_id', {
    schema: { params: OrganizationIdParams, body: UpdateBody }
  }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const body = definedOnly(request.body)
    const actor = await resolveActor(state, request)
    if (actor !== undefined) {
      requireSameOrganization(actor, organization.organization_id)
      checkUpdatePermissions(state, actor, Object.keys(body))
    }
    checkIdentity(state, body, organization.organization_id)
    const next = {
      ...organization,
      ...structuredClone(body),
      trusted_metadata: body.trusted_metadata === undefined
        ? organization.trusted_metadata
        : mergeMetadata(organization.trusted_metadata, body.trusted_metadata),
      email_allowed_domains: normalizeDomains(body.email_allowed_domains) ?? organization.email_allowed_domains,
      rbac_email_implicit_role_assignments: checkImplicitRoles(state, organization, body.rbac_email_implicit_role_assignments) ??
        organization.rbac_email_implicit_role_assignments
    }
    checkProvisioningStillPossible(next)
    Object.assign(organization, next)
    touch(state, organization)
    return { request_id: requestId(), status_code: 200, organization: publicOrganization(organization) }
  })

  app.delete('/v1/b2b/organizations/:organization_id', { schema: { params: OrganizationIdParams } }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const actor = await resolveActor(state, request)
    if (actor !== undefined) {
      requireSameOrganization(actor, organization.organization_id)
      requireAction(state, actor, 'stytch.organization', sessionHeaderRules.organizationDelete.action)
    }
    deleteOrganization(state, organization)
    return { request_id: requestId(), status_code: 200, organization_id: organization.organization_id }
  })
}
