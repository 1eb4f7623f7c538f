// The one translation of failed Stytch calls into the API's errors, on real SDK errors: each is
// provoked from the emulator through the real `stytch` client (a StytchError with Stytch's body, a
// RequestError for a dropped connection or a non-JSON body), except `unauthorized_action`, which the
// emulator never answers and is built with the SDK's own StytchError class.
import t from 'tap'
import { StytchError } from 'stytch'
import { BulkheadFullError } from '../../src/stytch/bulkhead.js'
import { callStytch, fromStytchError, isUpstreamOutage, stytchErrorType, type StytchCall } from '../../src/stytch/errors.js'
import { control, lastMessage, login, memberId, newClient, orgId, SESSIONS_AUTHENTICATE, startHarness } from '../emulator/helper.js'

/** The slow path with a bare session token (nothing proven locally). */
const SESSION: StytchCall = { kind: 'session', proven: false }
/** A session whose JWT verified locally just now (sensitive routes, revocation list unhealthy). */
const PROVEN_SESSION: StytchCall = { kind: 'session', proven: true }
const UPDATE: StytchCall = { kind: 'session-update' }
const MAGIC_LINK: StytchCall = { kind: 'magic-link' }
const READ: StytchCall = { kind: 'read' }
const MANAGE: StytchCall = { kind: 'manage', action: 'update', resource: 'members' }
const UNKNOWN_TOKEN = 'z'.repeat(44)

/** The error a call failed with (the test fails if it succeeds). */
async function failure (promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the Stytch call to fail')
}

/** The API error's status, code and message: what a client sees. */
const view = (err: Error): { statusCode: number | undefined, code: string | undefined, message: string } => {
  const { statusCode, code } = err as Error & { statusCode?: number, code?: string }
  return { statusCode, code, message: err.message }
}

async function sdkError (promise: Promise<unknown>, errorType: string): Promise<StytchError> {
  const err = await failure(promise)
  if (!(err instanceof StytchError)) throw new Error(`expected a StytchError, got ${String(err)}`)
  if (err.error_type !== errorType) throw new Error(`expected ${errorType}, got ${err.error_type}`)
  return err
}

t.test('outages: 5xx, 429, a dropped connection, a non-JSON body and non-Stytch errors are 503 for every kind of call', async (t) => {
  const h = await startHarness(t)
  const calls: StytchCall[] = [SESSION, UPDATE, MAGIC_LINK, READ, MANAGE]
  const failures: Array<[string, unknown]> = []
  for (const status of [500, 503, 429]) {
    await control(h.emu, 'POST', '/emulator/faults', { endpoint: SESSIONS_AUTHENTICATE, error_status: status })
    const err = await failure(h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN }))
    t.ok(err instanceof StytchError && err.status_code === status, `the emulator answered ${status}`)
    failures.push([`HTTP ${status}`, err])
  }
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: SESSIONS_AUTHENTICATE, down: 'reset' })
  failures.push(['a connection dropped before the answer', await failure(h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN }))])
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: SESSIONS_AUTHENTICATE, malformed: true })
  failures.push(['an HTML body', await failure(h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN }))])
  failures.push(['a TypeError', new TypeError('fetch failed')])
  failures.push(['a thrown string', 'socket hang up'])

  for (const [label, err] of failures) {
    t.ok(isUpstreamOutage(err), `${label}: an outage`)
    for (const call of calls) {
      t.match(view(fromStytchError(err, call)), { statusCode: 503, code: 'IDENTITY_PROVIDER_UNAVAILABLE' }, `${label}, ${call.kind}: 503`)
    }
  }
  t.equal(stytchErrorType(failures[3]?.[1]), undefined, 'a dropped connection has no Stytch error type')
})

t.test('a full bulkhead is 503 identity_provider_busy, not unavailable', async (t) => {
  for (const call of [SESSION, MANAGE, READ]) {
    t.match(view(fromStytchError(new BulkheadFullError(), call)), { statusCode: 503, code: 'IDENTITY_PROVIDER_BUSY' }, call.kind)
  }
})

t.test('session calls: session_not_found is an unknown session for a bare token, a revoked one for a session proven live; any other refusal invalid credentials', async (t) => {
  const h = await startHarness(t)
  const notFound = await sdkError(h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN }), 'session_not_found')
  t.notOk(isUpstreamOutage(notFound), 'a Stytch answer, not an outage')
  t.equal(stytchErrorType(notFound), 'session_not_found')
  t.match(view(fromStytchError(notFound, SESSION)), { statusCode: 401, code: 'SESSION_NOT_FOUND' }, 'an unknown token is not "revoked"')
  t.match(view(fromStytchError(notFound, PROVEN_SESSION)), { statusCode: 401, code: 'SESSION_REVOKED' }, 'a session proven live a moment ago was ended early')

  const { session_jwt: jwt } = await login(h, 'viewer@acme.test')
  const [header, payload] = jwt.split('.')
  const forged = await sdkError(h.client.sessions.authenticate({ session_jwt: `${header ?? ''}.${payload ?? ''}.AAAA` }), 'unauthorized_credentials')
  t.match(view(fromStytchError(forged, SESSION)), { statusCode: 401, code: 'INVALID_CREDENTIALS' })
})

t.test('session updates: session_not_found is revoked, any other refusal a 400', async (t) => {
  const h = await startHarness(t)
  const notFound = await sdkError(h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN, session_custom_claims: { theme: 'dark' } }), 'session_not_found')
  t.match(view(fromStytchError(notFound, UPDATE)), { statusCode: 401, code: 'SESSION_REVOKED' })
  const { session_token: token } = await login(h, 'viewer@acme.test')
  const reserved = await failure(h.client.sessions.authenticate({ session_token: token, session_custom_claims: { sub: 'someone-else' } }))
  t.ok(reserved instanceof StytchError && reserved.status_code === 400, 'Stytch refused the reserved claim')
  t.match(view(fromStytchError(reserved, UPDATE)), { statusCode: 400, code: 'BAD_REQUEST', message: 'Stytch refused the session update' })
})

t.test('magic links: PKCE failures are a 400 naming the verifier; every other refusal an invalid link', async (t) => {
  const h = await startHarness(t)
  const notFound = await sdkError(h.client.magicLinks.authenticate({ magic_links_token: UNKNOWN_TOKEN }), 'magic_link_not_found')
  t.match(view(fromStytchError(notFound, MAGIC_LINK)), { statusCode: 401, code: 'INVALID_MAGIC_LINK' })

  await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'editor@acme.test', pkce_code_challenge: 'x'.repeat(43) })
  const { token } = await lastMessage(h.emu, 'editor@acme.test')
  const expected = await sdkError(h.client.magicLinks.authenticate({ magic_links_token: token }), 'pkce_expected_code_verifier')
  const mismatch = await sdkError(h.client.magicLinks.authenticate({ magic_links_token: token, pkce_code_verifier: 'y'.repeat(43) }), 'pkce_mismatch')
  for (const err of [expected, mismatch]) {
    t.match(view(fromStytchError(err, MAGIC_LINK)), { statusCode: 400, message: /PKCE code verifier/ }, err.error_type)
  }

  await h.client.magicLinks.email.invite({ organization_id: 'acme', email_address: 'guest@partner.test' })
  const invite = await lastMessage(h.emu, 'guest@partner.test')
  const unexpected = await sdkError(h.client.magicLinks.authenticate({ magic_links_token: invite.token, pkce_code_verifier: 'y'.repeat(43) }), 'pkce_did_not_expect_code_verifier')
  t.match(view(fromStytchError(unexpected, MAGIC_LINK)), { statusCode: 400, message: /PKCE code verifier/ })

  await h.client.magicLinks.authenticate({ magic_links_token: invite.token })
  const spent = await sdkError(h.client.magicLinks.authenticate({ magic_links_token: invite.token }), 'unable_to_auth_magic_link')
  t.match(view(fromStytchError(spent, MAGIC_LINK)), { statusCode: 401, code: 'INVALID_MAGIC_LINK' }, 'a spent link')
})

t.test('management calls: Stytch\'s authorization refusals are 403s naming the action', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const globex = await orgId(h, 'globex')
  const editorId = await memberId(h, acme, 'editor@acme.test')
  const viewer = await login(h, 'viewer@acme.test')
  const asViewer = { authorization: { session_token: viewer.session_token } }
  const denied = await sdkError(h.client.organizations.members.update({ organization_id: acme, member_id: editorId, name: 'x' }, asViewer), 'session_authorization_error')
  const globexAdminId = await memberId(h, globex, 'admin@globex.test')
  const tenancy = await sdkError(h.client.organizations.members.update({ organization_id: globex, member_id: globexAdminId, name: 'x' }, asViewer),
    'session_authorization_tenancy_error')
  const trusted = await sdkError(h.client.organizations.members.update({ organization_id: acme, member_id: viewer.member_id, trusted_metadata: { level: 9 } }, asViewer),
    'cannot_update_trusted_metadata')
  const unauthorizedAction = new StytchError({
    status_code: 403, request_id: 'request-id-test-1', error_type: 'unauthorized_action', error_message: 'Not allowed.', error_url: 'https://stytch.com/docs/api/errors/403', error_details: undefined
  })
  for (const err of [denied, tenancy, trusted, unauthorizedAction]) {
    t.match(view(fromStytchError(err, { kind: 'manage', action: 'update', resource: 'members' })),
      { statusCode: 403, code: 'PERMISSION_DENIED', message: 'Not allowed to update members' }, err.error_type)
  }
  t.match(view(fromStytchError(denied, { kind: 'manage', action: 'invite', resource: 'members' })), { message: 'Not allowed to invite members' },
    'the message names the call\'s action')
})

t.test('management calls: the member\'s own session gone, unknown members, conflicts and bad input', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const viewerId = await memberId(h, acme, 'viewer@acme.test')
  const admin = await login(h, 'admin@acme.test')
  await h.client.sessions.revoke({ session_token: admin.session_token })
  const gone = await sdkError(h.client.organizations.members.update({ organization_id: acme, member_id: viewerId, name: 'x' },
    { authorization: { session_token: admin.session_token } }), 'session_not_found')
  t.match(view(fromStytchError(gone, MANAGE)), { statusCode: 401, code: 'SESSION_REVOKED' }, 'the acting member\'s session was revoked elsewhere')

  const cases: Array<[string, () => Promise<unknown>, string, { statusCode: number, code: string, message: string | RegExp }]> = [
    ['member_not_found', async () => await h.client.organizations.members.get({ organization_id: acme, member_id: 'member-test-00000000-0000-4000-8000-000000000000' }),
      'member_not_found', { statusCode: 404, code: 'NOT_FOUND', message: 'Member not found' }],
    ['duplicate email', async () => await h.client.organizations.members.create({ organization_id: acme, email_address: 'editor@acme.test' }),
      'duplicate_member_email', { statusCode: 409, code: 'CONFLICT', message: /already exists/ }],
    ['an unknown role', async () => await h.client.organizations.members.update({ organization_id: acme, member_id: viewerId, roles: ['no-such-role'] }),
      'invalid_rbac_role_id', { statusCode: 400, code: 'BAD_REQUEST', message: /Unknown role/ }],
    ['the default role explicitly', async () => await h.client.organizations.members.update({ organization_id: acme, member_id: viewerId, roles: ['stytch_member'] }),
      'cannot_assign_default_rbac_role_id', { statusCode: 400, code: 'BAD_REQUEST', message: /Unknown role/ }],
    ['a bad email', async () => await h.client.organizations.members.create({ organization_id: acme, email_address: 'not-an-email' }),
      'invalid_email', { statusCode: 400, code: 'BAD_REQUEST', message: /cannot be invited/ }],
    ['another 400', async () => await h.client.organizations.members.update({ organization_id: acme, member_id: viewerId, untrusted_metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }),
      'metadata_too_many_keys', { statusCode: 400, code: 'BAD_REQUEST', message: 'Stytch rejected the request' }],
    ['organization_not_found', async () => await h.client.organizations.members.get({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000', email_address: 'a@acme.test' }),
      'organization_not_found', { statusCode: 404, code: 'NOT_FOUND', message: 'Organization not found' }],
    ['a 404 the API never expects', async () => await h.client.organizations.members.reactivate({ organization_id: acme, member_id: viewerId }),
      'no_deleted_member_found_for_reactivation', { statusCode: 502, code: 'IDENTITY_PROVIDER_ERROR', message: /unexpected error/ }],
    ['a slug in use', async () => await h.client.organizations.update({ organization_id: acme, organization_slug: 'globex' }),
      'organization_slug_already_used', { statusCode: 409, code: 'SLUG_TAKEN', message: /already uses this slug/ }],
    ['a bad slug', async () => await h.client.organizations.update({ organization_id: acme, organization_slug: '!' }),
      'invalid_organization_slug', { statusCode: 400, code: 'BAD_REQUEST', message: /slug is not valid/ }],
    ['a bad name', async () => await h.client.organizations.update({ organization_id: acme, organization_name: '' }),
      'invalid_organization_name', { statusCode: 400, code: 'BAD_REQUEST', message: /name is not valid/ }],
    ['a common email domain', async () => await h.client.organizations.update({ organization_id: acme, email_allowed_domains: ['gmail.com'] }),
      'invalid_email_allowed_domains', { statusCode: 400, code: 'BAD_REQUEST', message: /common email provider/ }],
    ['no way to join', async () => await h.client.organizations.update({ organization_id: acme, email_jit_provisioning: 'NOT_ALLOWED', email_invites: 'NOT_ALLOWED', sso_jit_provisioning: 'NOT_ALLOWED' }),
      'invalid_organization_settings', { statusCode: 400, code: 'BAD_REQUEST', message: /at least one way/ }]
  ]
  for (const [label, call, type, expected] of cases) {
    const err = await sdkError(call(), type)
    t.match(view(fromStytchError(err, MANAGE)), expected, label)
  }
})

t.test('invites to an address the organization does not accept: a 400 saying so', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  await h.client.organizations.update({ organization_id: acme, email_invites: 'RESTRICTED' })
  const restricted = await sdkError(h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'guest@partner.test' }), 'invalid_email_for_invites')
  t.match(view(fromStytchError(restricted, { kind: 'manage', action: 'invite', resource: 'members' })),
    { statusCode: 400, code: 'BAD_REQUEST', message: 'This email address cannot be invited to the organization' })
})

t.test('reads: anything but an outage is unexpected (502), including a wrong project secret', async (t) => {
  const h = await startHarness(t)
  const wrongSecret = newClient(t, h.emu, 'secret-test-wrong')
  const unauthorized = await sdkError(wrongSecret.rbac.policy(), 'unauthorized_credentials')
  t.equal(unauthorized.status_code, 401)
  t.notOk(isUpstreamOutage(unauthorized))
  t.match(view(fromStytchError(unauthorized, READ)), { statusCode: 502, code: 'IDENTITY_PROVIDER_ERROR' })
  t.match(view(fromStytchError(unauthorized, MANAGE)), { statusCode: 502, code: 'IDENTITY_PROVIDER_ERROR' }, 'a 401 of our own credentials is no client error')
  const notFound = await sdkError(h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN }), 'session_not_found')
  t.match(view(fromStytchError(notFound, READ)), { statusCode: 502, code: 'IDENTITY_PROVIDER_ERROR' })
})

t.test('the SDK error is never attached: its body can carry tokens', async (t) => {
  const h = await startHarness(t)
  const { session_token: token } = await login(h, 'viewer@acme.test')
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: SESSIONS_AUTHENTICATE, error_status: 500 })
  const outage = await failure(h.client.sessions.authenticate({ session_token: token }))
  await control(h.emu, 'DELETE', '/emulator/faults')
  await h.client.sessions.revoke({ session_token: token })
  const revoked = await sdkError(h.client.sessions.authenticate({ session_token: token }), 'session_not_found')
  for (const err of [fromStytchError(outage, SESSION), fromStytchError(revoked, SESSION)]) {
    t.equal((err as Error & { cause?: unknown }).cause, undefined, `${err.message}: no cause`)
    t.notMatch(JSON.stringify({ ...err, message: err.message, stack: err.stack }), token, 'the token appears nowhere')
  }
})

t.test('callStytch: results pass through; expected refusals give the fallback; the rest is translated', async (t) => {
  const h = await startHarness(t)
  const { session_token: token } = await login(h, 'viewer@acme.test')
  const ok = await callStytch(SESSION, async () => await h.client.sessions.authenticate({ session_token: token }))
  t.equal(ok.status_code, 200, 'a success is returned as is')

  const gone = await callStytch(MANAGE, async () => await h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN }), { types: ['session_not_found'], fallback: 'already gone' })
  t.equal(gone, 'already gone', 'an expected Stytch answer: the fallback')
  const anyClient = await callStytch(MANAGE, async () => await h.client.organizations.members.create({ organization_id: 'acme', email_address: 'editor@acme.test' }),
    { types: 'any-client-error', fallback: null })
  t.equal(anyClient, null, 'any client error, when the call says so')

  const unexpected = await failure(callStytch(SESSION, async () => await h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN }), { types: ['member_not_found'], fallback: 'no' }))
  t.match(view(unexpected as Error), { statusCode: 401, code: 'SESSION_NOT_FOUND' }, 'another type is translated as usual')
  const plain = await failure(callStytch(SESSION, async () => await h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN })))
  t.match(view(plain as Error), { statusCode: 401, code: 'SESSION_NOT_FOUND' }, 'without expectations too')

  await control(h.emu, 'POST', '/emulator/faults', { endpoint: SESSIONS_AUTHENTICATE, error_status: 503 })
  for (const types of [['session_not_found'], 'any-client-error'] as const) {
    const outage = await failure(callStytch(MANAGE, async () => await h.client.sessions.authenticate({ session_token: UNKNOWN_TOKEN }), { types, fallback: 'never' }))
    t.match(view(outage as Error), { statusCode: 503, code: 'IDENTITY_PROVIDER_UNAVAILABLE' }, `an outage is never an expected answer (${String(types)})`)
  }
  const busy = await failure(callStytch(READ, async () => { throw new BulkheadFullError() }, { types: 'any-client-error', fallback: 'never' }))
  t.match(view(busy as Error), { statusCode: 503, code: 'IDENTITY_PROVIDER_BUSY' })
})
