import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { requestId } from '../ids.js'
import { errors, sessionHeaderRules } from '../inferred.js'
import { requireMemberAction, requireSameOrganization, resolveActor } from '../session-header.js'
import {
  liveSessionById, liveSessionByJwt, liveSessionByToken, memberSessionView
} from '../sessions-core.js'
import { nowMs, type EmulatorState, type StoredMember, type StoredSession } from '../state.js'
import { requireMember, requireOrganization, revokeMemberSessions } from '../store.js'

const GetQuery = Type.Object({ organization_id: Type.String(), member_id: Type.String() })
const RevokeBody = Type.Object({
  member_session_id: Type.Optional(Type.String()),
  session_token: Type.Optional(Type.String()),
  session_jwt: Type.Optional(Type.String()),
  member_id: Type.Optional(Type.String())
})

type RevokeTarget = { kind: 'session', session: StoredSession, member: StoredMember } | { kind: 'member', member: StoredMember }

/** Exactly one selector (reference §6.4); the target must exist and be live. */
async function revokeTarget (state: EmulatorState, body: typeof RevokeBody.static): Promise<RevokeTarget> {
  const given = [body.member_session_id, body.session_token, body.session_jwt, body.member_id].filter((v) => v !== undefined)
  if (given.length === 0) throw new StytchApiError(errors.noSessionRevokeArguments)
  if (given.length > 1) throw new StytchApiError(errors.tooManySessionRevokeArguments)
  if (body.member_id !== undefined) {
    const member = state.members.get(body.member_id)
    if (member === undefined || member.status === 'deleted') throw new StytchApiError(errors.memberNotFound)
    return { kind: 'member', member }
  }
  const session = body.member_session_id !== undefined
    ? liveSessionById(state, body.member_session_id)
    : body.session_token !== undefined
      ? liveSessionByToken(state, body.session_token)
      : await liveSessionByJwt(state, body.session_jwt ?? '')
  const member = state.members.get(session.member_id)
  if (member === undefined) throw new StytchApiError(errors.sessionNotFound)
  return { kind: 'session', session, member }
}

/** sessions.get (list a member's live sessions) and sessions.revoke. */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.get('/v1/b2b/sessions', { schema: { querystring: GetQuery } }, async (request) => {
    const organization = requireOrganization(state, request.query.organization_id)
    const member = requireMember(state, organization, request.query.member_id)
    const now = nowMs(state)
    const live = [...state.sessions.values()]
      .filter((session) => session.member_id === member.member_id && !session.revoked && session.expires_at_ms > now)
    return {
      request_id: requestId(),
      status_code: 200,
      member_sessions: live.map((session) => memberSessionView(state, session))
    }
  })

  app.post('/v1/b2b/sessions/revoke', { schema: { body: RevokeBody } }, async (request) => {
    const target = await revokeTarget(state, request.body)
    const actor = await resolveActor(state, request)
    if (actor !== undefined) {
      requireSameOrganization(actor, target.member.organization_id)
      const rule = sessionHeaderRules.sessionRevoke
      requireMemberAction(state, actor, rule.action, target.member.member_id, rule.selfAllowed)
    }
    if (target.kind === 'member') revokeMemberSessions(state, target.member.member_id)
    else target.session.revoked = true
    return { request_id: requestId(), status_code: 200 }
  })
}
