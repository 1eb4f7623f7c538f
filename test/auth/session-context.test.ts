// The session context built from a session JWT's claims and from a Stytch session object. The claims
// are a real session JWT's, minted by the emulator (with custom claims) and changed one at a time:
// a missing or mistyped claim the API relies on makes the whole token invalid (null), never half-trusted.
import t, { type Test } from 'tap'
import { decodeJwt, type JWTPayload } from 'jose'
import { contextFromClaims, contextFromMemberSession, ORGANIZATION_CLAIM, SESSION_CLAIM } from '../../src/auth/session-context.js'
import { login, must, startHarness } from '../emulator/helper.js'

async function realLogin (t: Test) {
  const h = await startHarness(t)
  const auth = await login(h, 'editor@acme.test', 'acme', { session_custom_claims: { theme: 'dark', seats: 3 } })
  return { h, auth, session: must(auth.member_session, 'member_session'), claims: decodeJwt(auth.session_jwt) }
}

type Claims = Record<string, any>
const clone = (claims: JWTPayload): Claims => structuredClone(claims) as Claims

t.test('the claims of a real session JWT give the member, organization and session, custom claims apart', async (t) => {
  const { auth, session, claims } = await realLogin(t)
  const context = contextFromClaims(claims)
  if (context === null) throw new Error('a real session JWT must give a context')
  t.same(context.member, {
    member_id: auth.member_id,
    organization_id: auth.organization_id,
    email_address: 'editor@acme.test',
    roles: session.roles
  })
  t.same(context.organization, { organization_id: auth.organization_id, organization_slug: 'acme' })
  t.equal(context.session.member_session_id, session.member_session_id)
  t.equal(context.session.started_at, session.started_at)
  t.equal(context.startedAtMs, Date.parse(session.started_at))
  t.ok(Number.isFinite(context.startedAtMs))
  t.same(context.session.custom_claims, { theme: 'dark', seats: 3 }, 'only the custom claims: registered and Stytch claims are left out')
  t.match(context.session.authentication_factors, [{ type: 'magic_link', delivery_method: 'email', email_address: 'editor@acme.test' }])
})

t.test('the same session from the JWT and from Stytch\'s session object is the same context', async (t) => {
  const { session, claims } = await realLogin(t)
  const fromJwt = contextFromClaims(claims)
  const fromStytch = contextFromMemberSession(session)
  t.same(fromStytch.member, fromJwt?.member)
  t.same(fromStytch.organization, fromJwt?.organization)
  t.same(fromStytch.session.custom_claims, fromJwt?.session.custom_claims)
  t.same(fromStytch.session.authentication_factors, fromJwt?.session.authentication_factors)
  t.equal(fromStytch.startedAtMs, fromJwt?.startedAtMs)
})

t.test('a missing or mistyped claim the API relies on makes the token invalid', async (t) => {
  const { claims } = await realLogin(t)
  const cases: Array<[string, (c: Claims) => void]> = [
    ['no sub', (c) => { delete c.sub }],
    ['a numeric sub', (c) => { c.sub = 42 }],
    ['no session claim', (c) => { delete c[SESSION_CLAIM] }],
    ['no organization claim', (c) => { delete c[ORGANIZATION_CLAIM] }],
    ['no session id', (c) => { delete c[SESSION_CLAIM].id }],
    ['a numeric session id', (c) => { c[SESSION_CLAIM].id = 7 }],
    ['no organization id', (c) => { delete c[ORGANIZATION_CLAIM].organization_id }],
    ['an object organization id', (c) => { c[ORGANIZATION_CLAIM].organization_id = { id: 'x' } }],
    ['no roles', (c) => { delete c[SESSION_CLAIM].roles }],
    ['roles as a string', (c) => { c[SESSION_CLAIM].roles = 'stytch_admin' }],
    ['a role that is not a string', (c) => { c[SESSION_CLAIM].roles = ['stytch_member', { role_id: 'stytch_admin' }] }]
  ]
  for (const [label, change] of cases) {
    const changed = clone(claims)
    change(changed)
    t.equal(contextFromClaims(changed), null, label)
  }
  t.not(contextFromClaims(clone(claims)), null, 'the unchanged claims are fine (the cases above are what broke them)')
})

t.test('optional claims that are missing or mistyped become empty values, not errors', async (t) => {
  const { auth, claims } = await realLogin(t)
  const changed = clone(claims)
  delete changed[SESSION_CLAIM].started_at
  changed[SESSION_CLAIM].last_accessed_at = 12345
  delete changed[SESSION_CLAIM].expires_at
  delete changed[ORGANIZATION_CLAIM].slug
  changed[SESSION_CLAIM].authentication_factors = 'magic_link'
  const context = contextFromClaims(changed)
  if (context === null) throw new Error('optional claims must not invalidate the token')
  t.equal(context.session.started_at, '')
  t.ok(Number.isNaN(context.startedAtMs), 'an unparseable start is NaN (a recent-authentication check then fails closed)')
  t.equal(context.session.last_accessed_at, '', 'a number where a string belongs')
  t.equal(context.session.expires_at, '')
  t.equal(context.organization.organization_slug, '')
  t.same(context.session.authentication_factors, [], 'factors that are not a list: none')
  t.equal(context.member.email_address, null, 'no factor, so no email address')
  t.equal(context.member.member_id, auth.member_id, 'the required claims are still read')
})

t.test('factors: mistyped fields are empty strings; the email is the first factor that has one', async (t) => {
  const { claims } = await realLogin(t)
  const changed = clone(claims)
  changed[SESSION_CLAIM].authentication_factors = [
    { type: 'sso', delivery_method: 7, last_authenticated_at: null },
    { type: 'magic_link', delivery_method: 'email', last_authenticated_at: '2026-01-10T09:00:00Z', email_factor: { email_address: 42 } },
    { type: 'magic_link', delivery_method: 'email', last_authenticated_at: '2026-01-10T09:00:00Z', email_factor: { email_address: 'second@acme.test' } },
    { type: 'email_otp', delivery_method: 'email', last_authenticated_at: '2026-01-10T09:00:00Z', email_factor: { email_address: 'third@acme.test' } },
    {}
  ]
  const context = contextFromClaims(changed)
  t.same(context?.session.authentication_factors, [
    { type: 'sso', delivery_method: '', last_authenticated_at: '' },
    { type: 'magic_link', delivery_method: 'email', last_authenticated_at: '2026-01-10T09:00:00Z' },
    { type: 'magic_link', delivery_method: 'email', last_authenticated_at: '2026-01-10T09:00:00Z', email_address: 'second@acme.test' },
    { type: 'email_otp', delivery_method: 'email', last_authenticated_at: '2026-01-10T09:00:00Z', email_address: 'third@acme.test' },
    { type: '', delivery_method: '', last_authenticated_at: '' }
  ])
  t.equal(context?.member.email_address, 'second@acme.test', 'a non-string email is skipped')
})

t.test('contextFromMemberSession: an email given by the caller wins; no custom claims is {}', async (t) => {
  const { session } = await realLogin(t)
  const given = contextFromMemberSession(session, 'from-the-member-record@acme.test')
  t.equal(given.member.email_address, 'from-the-member-record@acme.test')
  const { custom_claims: _claims, ...withoutClaims } = session
  const bare = contextFromMemberSession({ ...withoutClaims, authentication_factors: [] } as unknown as typeof session)
  t.same(bare.session.custom_claims, {})
  t.equal(bare.member.email_address, null, 'no factor and no email given')
  t.equal(bare.organization.organization_slug, session.organization_slug)
})
