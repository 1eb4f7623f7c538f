import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { requestId } from '../ids.js'
import { errors, sessionHeaderRules } from '../inferred.js'
import { SearchPaging, StringList } from '../schemas.js'
import { memberMatcher, organizationMatcher, paginate } from '../search.js'
import { requireMemberAction, requireSameOrganization, resolveActor } from '../session-header.js'
import { type EmulatorState, type Organization } from '../state.js'
import { publicMember, publicOrganization, requireOrganization } from '../store.js'

const OrganizationSearchBody = Type.Object({ ...SearchPaging })
const MemberSearchBody = Type.Object({ organization_ids: StringList, ...SearchPaging })

/** organizations.search and organizations.members.search (both optional rows of reference §3). */
export const searchRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.post('/v1/b2b/organizations/search', { schema: { body: OrganizationSearchBody } }, async (request) => {
    const { cursor, limit, query } = request.body
    const matches = organizationMatcher(state, query)
    const found = [...state.organizations.values()].filter(matches)
    const { page, results_metadata: resultsMetadata } = paginate(found, cursor, limit)
    return {
      request_id: requestId(),
      status_code: 200,
      organizations: page.map(publicOrganization),
      results_metadata: resultsMetadata
    }
  })

  app.post('/v1/b2b/organizations/members/search', { schema: { body: MemberSearchBody } }, async (request) => {
    const { organization_ids: organizationIds, cursor, limit, query } = request.body
    if (organizationIds.length === 0) {
      throw new StytchApiError(errors.invalidArgument, 'organization_ids must contain at least one organization')
    }
    const organizations = organizationIds.map((id) => requireOrganization(state, id))
    const actor = await resolveActor(state, request)
    if (actor !== undefined) {
      for (const organization of organizations) requireSameOrganization(actor, organization.organization_id)
      requireMemberAction(state, actor, sessionHeaderRules.memberSearch.action, '', false)
    }
    const orgIds = new Set(organizations.map((organization) => organization.organization_id))
    const matches = memberMatcher(query)
    const found = [...state.members.values()].filter((member) => orgIds.has(member.organization_id) && matches(member))
    const { page, results_metadata: resultsMetadata } = paginate(found, cursor, limit)
    const byId: Record<string, Organization> = {}
    for (const organization of organizations) byId[organization.organization_id] = publicOrganization(organization)
    return {
      request_id: requestId(),
      status_code: 200,
      members: page.map((member) => publicMember(state, member)),
      results_metadata: resultsMetadata,
      organizations: byId
    }
  })
}
