/**
 * The B2B journey of issue 11, driven over a real port by the client types generated from
 * openapi.yaml (client/src/api.d.ts + openapi-fetch): discovery login (no organization up front) →
 * pick an organization → my profile → the members directory → my organizations → switch
 * organization → the audit trail of what happened. If the spec and the server drift apart, this
 * file stops type-checking or its assertions fail.
 */
import type { AddressInfo } from 'node:net'
import createClient from 'openapi-fetch'
import t from 'tap'
import type { paths } from '../../client/src/api.js'
import { buildApp, latestToken, loginForTokens, pkcePair } from '../helper.js'

t.test('discovery login → pick organization → profile → members → switch organization → audit events', async (t) => {
  const { app, emulator } = await buildApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`
  const anonymous = createClient<paths>({ baseUrl })
  const as = (jwt: string) => createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${jwt}` } })
  const email = 'admin@acme.test'
  // The same address is invited to a second organization: discovery finds both.
  await app.stytch.client.magicLinks.email.invite({ organization_id: 'globex', email_address: email })

  // --- discovery login, the mobile way: own PKCE pair, tokens in the body ---
  const { verifier, challenge } = pkcePair()
  const sent = await anonymous.POST('/v1/auth/discovery/send', { body: { email_address: email, pkce_code_challenge: challenge } })
  t.equal(sent.response.status, 202, 'sendDiscoveryMagicLink: 202')
  const token = await latestToken(emulator, email)
  const discovered = await anonymous.POST('/v1/auth/discovery/authenticate', { body: { token, delivery: 'body', pkce_code_verifier: verifier } })
  t.equal(discovered.response.status, 200, 'authenticateDiscoveryMagicLink: 200')
  const found = discovered.data
  if (found?.intermediate_session_token === undefined) throw new Error(`no intermediate session: ${JSON.stringify(discovered.error)}`)
  const memberships = Object.fromEntries(found.organizations.map((o) => [o.organization_slug, o.membership]))
  t.same(memberships, { acme: 'active_member', globex: 'invited_member' }, 'both organizations of the address, with how it belongs to each')

  // --- pick one ---
  const picked = await anonymous.POST('/v1/auth/discovery/exchange', {
    body: { organization_id: 'acme', intermediate_session_token: found.intermediate_session_token, delivery: 'body' }
  })
  t.equal(picked.response.status, 200, 'exchangeIntermediateSession: 200')
  const login = picked.data
  if (login?.session_jwt === undefined) throw new Error(`no session: ${JSON.stringify(picked.error)}`)
  t.equal(login.organization.organization_slug, 'acme')
  const spent = await anonymous.POST('/v1/auth/discovery/exchange', {
    body: { organization_id: 'acme', intermediate_session_token: found.intermediate_session_token, delivery: 'body' }
  })
  t.equal(spent.response.status, 401, 'the intermediate session works once')
  const acmeId = login.organization.organization_id
  const admin = as(login.session_jwt)

  // --- my profile, as Stytch stores it ---
  const profile = await admin.GET('/v1/me/profile')
  t.equal(profile.response.status, 200, 'getMyProfile: 200')
  t.match(profile.data, { email_address: email, status: 'active' })
  t.ok(profile.data?.roles.includes('stytch_admin'), 'with its roles')

  // --- the members directory ---
  const members = await admin.GET('/v1/organizations/{organizationId}/members', { params: { path: { organizationId: acmeId } } })
  t.equal(members.response.status, 200, 'listMembers: 200')
  t.same(members.data?.members.map((m) => m.email_address).sort(), ['admin@acme.test', 'editor@acme.test', 'viewer@acme.test'], 'every member of acme')
  const editor = members.data?.members.find((m) => m.email_address === 'editor@acme.test')
  if (editor === undefined) throw new Error('no editor')
  const one = await admin.GET('/v1/organizations/{organizationId}/members/{memberId}', { params: { path: { organizationId: acmeId, memberId: editor.member_id } } })
  t.equal(one.data?.email_address, 'editor@acme.test', 'getMember')

  // --- my organizations, then switch ---
  const mine = await admin.GET('/v1/me/organizations')
  t.same(mine.data?.organizations.map((o) => o.organization_slug).sort(), ['acme', 'globex'], 'listMyOrganizations')
  const switched = await admin.POST('/v1/me/organizations/{organizationId}/switch', { params: { path: { organizationId: 'globex' } } })
  t.equal(switched.response.status, 200, 'switchOrganization: 200')
  const next = switched.data
  if (next?.session_jwt === undefined) throw new Error(`no new session: ${JSON.stringify(switched.error)}`)
  t.equal(next.organization.organization_slug, 'globex', 'the new session is in globex')
  const old = await admin.GET('/v1/me')
  t.equal(old.response.status, 401, 'the old session is over at once')
  t.equal(old.error?.code, 'session_revoked')
  const inGlobex = await as(next.session_jwt).GET('/v1/me')
  t.equal(inGlobex.data?.organization.organization_slug, 'globex', 'getMe with the new session')

  // --- the audit trail of acme, read by its admin ---
  const again = await loginForTokens(app, emulator, email)
  const audit = await as(again.session_jwt).GET('/v1/organizations/{organizationId}/audit-events', {
    params: { path: { organizationId: acmeId }, query: { actor: login.member.member_id } }
  })
  t.equal(audit.response.status, 200, 'listAuditEvents: 200')
  const events = audit.data?.events ?? []
  const switchedEvent = events.find((e) => e.type === 'organization_switched')
  t.match(switchedEvent, { target_session_id: login.session.member_session_id, details: { direction: 'left' } }, 'the switch, with the session it ended')
  const discoveryLogin = events.find((e) => e.type === 'login' && e.target_session_id === login.session.member_session_id)
  t.match(discoveryLogin, { details: { method: 'discovery_magic_link' } }, 'the discovery login')
  t.ok(events.every((e) => typeof e.request_id === 'string' && e.ip !== undefined), 'each event has its request id and IP')
})
