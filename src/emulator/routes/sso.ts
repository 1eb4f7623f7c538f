import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestId } from '../ids.js'
import { sessionHeaderRules } from '../inferred.js'
import { OrganizationIdParams } from '../schemas.js'
import { requireAction, requireSameOrganization, resolveActor } from '../session-header.js'
import { type EmulatorState } from '../state.js'
import { requireOrganization } from '../store.js'

/**
 * sso.getConnections (GET /v1/b2b/sso/{organization_id}, [SDK] dist/b2b/sso.js): the emulator has no SSO,
 * so every organization owns no connections; the three lists of B2BSSOGetConnectionsResponse are there and
 * empty, so apps that list SSO connections (Stytch's B2B example app does) render.
 */
export const ssoRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.get('/v1/b2b/sso/:organization_id', { schema: { params: OrganizationIdParams } }, async (request) => {
    const organization = requireOrganization(state, request.params.organization_id)
    const actor = await resolveActor(state, request)
    if (actor !== undefined) {
      requireSameOrganization(actor, organization.organization_id)
      requireAction(state, actor, 'stytch.sso', sessionHeaderRules.ssoGetConnections.action)
    }
    return {
      request_id: requestId(),
      status_code: 200,
      saml_connections: [],
      oidc_connections: [],
      external_connections: []
    }
  })
}
