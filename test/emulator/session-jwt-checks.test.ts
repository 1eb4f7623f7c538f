// What the emulator checks in a session JWT it is handed (sessions.authenticate({ session_jwt })):
// the signature by a listed key, typ JWT, the project's issuer and audience, and the session and
// subject claims — each refused alone as 401 unauthorized_credentials, never a 5xx. The tokens are
// real session JWTs re-signed with the emulator's own key, so only the claim under test is wrong.
import t from 'tap'
import { decodeJwt, SignJWT, type JWTPayload } from 'jose'
import { login, rejectsStytch, startHarness, type Harness } from './helper.js'

const SESSION_CLAIM = 'https://stytch.com/session'
const INVALID = { status_code: 401, error_type: 'unauthorized_credentials' }

async function resign (h: Harness, jwt: string, change: (p: JWTPayload) => JWTPayload, typ = 'JWT'): Promise<string> {
  const key = h.emu.state.keys.current
  return await new SignJWT(change(decodeJwt(jwt))).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ }).sign(key.privateKey)
}

t.test('a re-signed copy of a real JWT is accepted; each broken claim alone is refused', async (t) => {
  const h = await startHarness(t)
  const session = await login(h, 'viewer@acme.test')
  const copy = await h.client.sessions.authenticate({ session_jwt: await resign(h, session.session_jwt, (p) => p) })
  t.equal(copy.member_session.member_session_id, session.member_session?.member_session_id, 'the re-signing itself changes nothing')
  t.equal(copy.member_session.member_id, session.member_id)

  const cases: Array<[string, (p: JWTPayload) => JWTPayload, string?]> = [
    ['typ at+jwt', (p) => p, 'at+jwt'],
    ['another project\'s issuer', (p) => ({ ...p, iss: 'stytch.com/project-test-other' })],
    ['another project\'s audience', (p) => ({ ...p, aud: ['project-test-other'] })],
    ['an audience string of another project', (p) => ({ ...p, aud: 'project-test-other' })],
    ['no session claim', (p) => { const { [SESSION_CLAIM]: _s, ...rest } = p; return rest }],
    ['a numeric session id', (p) => ({ ...p, [SESSION_CLAIM]: { ...(p[SESSION_CLAIM] as object), id: 42 } })],
    ['no subject', (p) => { const { sub: _s, ...rest } = p; return rest }]
  ]
  for (const [label, change, typ] of cases) {
    await rejectsStytch(t, h.client.sessions.authenticate({ session_jwt: await resign(h, session.session_jwt, change, typ) }), INVALID, label)
  }
  const audienceString = await h.client.sessions.authenticate({ session_jwt: await resign(h, session.session_jwt, (p) => ({ ...p, aud: h.emu.projectId })) })
  t.equal(audienceString.member.member_id, session.member_id, 'the project id as a plain string audience is fine')
})

t.test('a JWT naming a live session but another member is session_not_found', async (t) => {
  const h = await startHarness(t)
  const viewer = await login(h, 'viewer@acme.test')
  const editor = await login(h, 'editor@acme.test')
  const mixed = await resign(h, viewer.session_jwt, (p) => ({ ...p, sub: editor.member_id }))
  await rejectsStytch(t, h.client.sessions.authenticate({ session_jwt: mixed }), { status_code: 404, error_type: 'session_not_found' })
})
