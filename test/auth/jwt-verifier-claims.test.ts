// Optional and time claims in the JWT verifier, on real session JWTs re-signed with the emulator's
// key: with the key known (signature verified) and with a kid that cannot be checked yet (the
// unverified checks). A missing nbf is fine, a missing audience is not, and an iat in the future
// (beyond the tolerance) is refused either way.
import t, { type Test } from 'tap'
import { decodeJwt, SignJWT, type JWTPayload } from 'jose'
import { createJwtVerifier, type JwtVerdict } from '../../src/auth/jwt-verifier.js'
import { createJwksCache } from '../../src/stytch/jwks.js'
import { login, startHarness } from '../emulator/helper.js'

const reasonOf = (verdict: JwtVerdict): string => (verdict.ok ? 'ok' : verdict.reason)
const without = (name: string) => (p: JWTPayload): JWTPayload => { const { [name]: _dropped, ...rest } = p; return rest }

async function setup (t: Test) {
  const h = await startHarness(t)
  let jwksAt = 1_000_000
  const jwks = createJwksCache({ client: h.client, projectId: h.emu.projectId, now: () => jwksAt, refetchFloorMs: 1000 })
  await jwks.refresh()
  jwksAt += 200 // inside the refetch floor: a kid not in the set is unchecked, never fetched
  const jwt = (await login(h, 'editor@acme.test')).session_jwt
  const at = (decodeJwt(jwt).iat as number) * 1000
  const verifier = createJwtVerifier({ jwks, projectId: h.emu.projectId, clockToleranceSeconds: 5, maxTokenAgeSeconds: 300, now: () => at })
  const resign = async (change: (p: JWTPayload) => JWTPayload, kid = h.emu.state.keys.current.kid): Promise<string> =>
    await new SignJWT(change(decodeJwt(jwt))).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(h.emu.state.keys.current.privateKey)
  return { h, verifier, jwt, seconds: Math.floor(at / 1000), resign }
}

t.test('with the key known: no nbf is fine; an iat beyond the tolerance in the future is invalid', async (t) => {
  const { verifier, seconds, resign } = await setup(t)
  const noNbf = await verifier.verify(await resign(without('nbf')))
  t.equal(reasonOf(noNbf), 'ok', 'nbf is optional')
  t.equal(verifier.size, 1, 'and the token is remembered')
  t.equal(reasonOf(await verifier.verify(await resign((p) => ({ ...without('nbf')(p), iat: seconds + 60 })))), 'invalid', 'issued a minute from now')
  t.equal(reasonOf(await verifier.verify(await resign((p) => ({ ...without('nbf')(p), iat: seconds + 4 })))), 'ok', 'within the 5 s tolerance')
})

t.test('with a kid that cannot be checked yet: the same rules on the unverified claims', async (t) => {
  const { h, verifier, seconds, resign } = await setup(t)
  const unchecked = async (change: (p: JWTPayload) => JWTPayload, label: string): Promise<JwtVerdict> =>
    await verifier.verify(await resign(change, `jwk-test-unchecked-${label}`))
  t.match(await unchecked(without('nbf'), 'no-nbf'), { ok: false, reason: 'unknown_key', askStytch: true }, 'no nbf: still for Stytch to settle')
  t.equal(reasonOf(await unchecked(without('aud'), 'no-aud')), 'invalid', 'no audience: not a token of this project')
  t.equal(reasonOf(await unchecked((p) => ({ ...p, aud: [] }), 'empty-aud')), 'invalid', 'an empty audience')
  t.equal(reasonOf(await unchecked((p) => ({ ...without('nbf')(p), iat: seconds + 60 }), 'future')), 'invalid', 'issued in the future')
  t.equal(reasonOf(await unchecked((p) => ({ ...p, iat: String(seconds) as never }), 'string-iat')), 'invalid', 'a string iat')
  t.equal(reasonOf(await unchecked((p) => ({ ...p, aud: [h.emu.projectId, 'project-test-other'] }), 'two-aud')), 'unknown_key', 'the project among other audiences')
  t.equal(verifier.size, 0, 'nothing unverified is remembered')
})
