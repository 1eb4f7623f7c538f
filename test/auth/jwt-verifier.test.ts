// The JWT verifier through its clock seam, on real session JWTs minted by the emulator and fetched
// keys through the real SDK: every verdict, and above all that a key which cannot be checked yet is
// `unknown_key` (never 401 by itself), while a kid Stytch does not publish is `invalid` (never Stytch).
import t, { type Test } from 'tap'
import { decodeJwt, SignJWT, type JWTPayload } from 'jose'
import { createJwtVerifier, type JwtVerdict, type JwtVerifierOptions } from '../../src/auth/jwt-verifier.js'
import { createJwksCache, type JwksCacheOptions } from '../../src/stytch/jwks.js'
import { callCount, control, JWKS_ROUTE, login, readCalls, startHarness, type Harness } from '../emulator/helper.js'

function manualClock (start = Date.now()) {
  let at = start
  return { now: () => at, advance: (ms: number) => { at += ms }, set: (ms: number) => { at = ms } }
}

/** When the emulator issued `jwt` (its `iat`), in ms. */
const issuedAtMs = (jwt: string): number => (decodeJwt(jwt).iat as number) * 1000

interface Setup {
  jwks?: Partial<JwksCacheOptions>
  verifier?: Partial<JwtVerifierOptions>
}

/**
 * Two hand-moved clocks, so that nothing depends on how busy the machine is: `clock` drives the JWKS
 * cache (the refetch floor, the per-kid memory); `tokens` drives the verifier (token times and the
 * per-second Stytch budget) and starts at the `iat` of `jwt`. Tests pin `tokens` to a fresh token's
 * `iat` before verifying it.
 */
async function setup (t: Test, options: Setup = {}) {
  const h = await startHarness(t)
  const clock = manualClock()
  const tokens = manualClock()
  const jwks = createJwksCache({ client: h.client, projectId: h.emu.projectId, now: clock.now, refetchFloorMs: 1000, ...options.jwks })
  await jwks.refresh()
  const verifier = createJwtVerifier({
    jwks,
    projectId: h.emu.projectId,
    clockToleranceSeconds: 5,
    maxTokenAgeSeconds: 300,
    now: tokens.now,
    ...options.verifier
  })
  const session = await login(h, 'editor@acme.test')
  tokens.set(issuedAtMs(session.session_jwt))
  return { h, clock, tokens, jwks, verifier, jwt: session.session_jwt, fetches: async () => callCount(await readCalls(h.emu), JWKS_ROUTE) }
}

/** The claims of a real session JWT, re-signed with the emulator's current private key under `kid`. */
async function resign (h: Harness, jwt: string, kid: string, change: (p: JWTPayload) => JWTPayload = (p) => p, typ = 'JWT'): Promise<string> {
  return await new SignJWT(change(decodeJwt(jwt))).setProtectedHeader({ alg: 'RS256', kid, typ }).sign(h.emu.state.keys.current.privateKey)
}

async function rotate (h: Harness): Promise<string> {
  return (await control<{ kid: string }>(h.emu, 'POST', '/emulator/keys/rotate')).body.kid
}

const reasonOf = (verdict: JwtVerdict): string => (verdict.ok ? 'ok' : verdict.reason)

t.test('a real session JWT verifies, is remembered, and then follows the clock', async (t) => {
  const { verifier, jwt, tokens } = await setup(t, { verifier: { maxTokenAgeSeconds: 120 } })
  const first = await verifier.verify(jwt)
  t.ok(first.ok, 'verified')
  t.match(first, { ok: true, context: { member: { roles: ['stytch_member', 'editor'] } } })
  t.equal(verifier.size, 1)
  const again = verifier.verify(jwt)
  t.notOk(again instanceof Promise, 'a remembered token is answered synchronously')
  t.ok((again as JwtVerdict).ok)
  tokens.advance(119_000)
  t.ok((await verifier.verify(jwt)).ok, '119 s old')
  tokens.advance(1000)
  t.equal(reasonOf(await verifier.verify(jwt)), 'too_old', 'older than the maximum age')
  t.equal(verifier.size, 0, 'forgotten once refused')
  tokens.advance(185_000) // exp (300 s) + the 5 s tolerance
  t.equal(reasonOf(await verifier.verify(jwt)), 'expired')
})

t.test('not yet valid beyond the tolerance is invalid', async (t) => {
  const { verifier, jwt, tokens } = await setup(t)
  tokens.advance(-6000)
  t.equal(reasonOf(await verifier.verify(jwt)), 'invalid')
  tokens.advance(2000)
  t.ok((await verifier.verify(jwt)).ok, 'within the tolerance')
})

t.test('rotation after a junk kid: the new key\'s JWTs are never invalid and verify within the floor (issue 14 item 3)', async (t) => {
  const { h, verifier, jwt, clock, tokens, fetches } = await setup(t)
  clock.advance(5000)
  // The junk request: a kid Stytch never published. It costs one JWKS fetch, which settles it.
  const junk = await resign(h, jwt, 'jwk-test-junk-kid')
  t.equal(reasonOf(await verifier.verify(junk)), 'invalid', 'junk kid: a fetch made after it was seen does not list it')
  t.equal(await fetches(), 2)

  const newKid = await rotate(h)
  const fresh = (await login(h, 'viewer@acme.test')).session_jwt
  tokens.set(issuedAtMs(fresh))
  clock.advance(100)
  const early = await verifier.verify(fresh)
  t.match(early, { ok: false, reason: 'unknown_key', askStytch: true, retryAfterSeconds: 1 }, 'inside the floor: cannot check yet — not invalid')
  t.equal(await fetches(), 2, 'no fetch inside the floor')
  clock.advance(900)
  const later = await verifier.verify(fresh)
  t.ok(later.ok, `the first verification after the floor finds the new key ${newKid}`)
  t.equal(await fetches(), 3)
  t.ok((await verifier.verify(jwt)).ok, 'JWTs of the old key still verify (it is still listed)')
  t.equal(reasonOf(await verifier.verify(junk)), 'invalid', 'the junk kid stays invalid, without a fetch')
  t.equal(await fetches(), 3)
})

t.test('junk kids: remembered ones are invalid for free; unchecked ones are unknown_key within a Stytch budget', async (t) => {
  const { h, verifier, jwt, clock, tokens, fetches } = await setup(t, { verifier: { unknownKeyStytchPerSecond: 3 } })
  clock.advance(200) // inside the floor of the initial load
  const verdicts: JwtVerdict[] = []
  for (let i = 0; i < 5; i++) verdicts.push(await verifier.verify(await resign(h, jwt, `jwk-test-junk-${i}`)))
  t.same(verdicts.map((v) => (v.ok ? 'ok' : v.reason === 'unknown_key' ? `unknown_key:${String(v.askStytch)}:${v.retryAfterSeconds}` : v.reason)),
    ['unknown_key:true:1', 'unknown_key:true:1', 'unknown_key:true:1', 'unknown_key:false:1', 'unknown_key:false:1'],
    'the budget of Stytch calls for unchecked tokens is 3 per second; beyond it, 503 material')
  t.equal(await fetches(), 1, 'no fetch inside the floor')
  clock.advance(1000)
  const settled = await verifier.verify(await resign(h, jwt, 'jwk-test-junk-0', (p) => ({ ...p, sub: 'member-test-other' })))
  t.equal(reasonOf(settled), 'invalid', 'after the floor one fetch settles the kid: invalid, no Stytch')
  for (let i = 0; i < 5; i++) t.equal(reasonOf(await verifier.verify(await resign(h, jwt, `jwk-test-junk-${i}`))), 'invalid')
  t.equal(await fetches(), 2, 'one fetch for all of them')
  clock.advance(100)
  tokens.advance(1000)
  const budget = await verifier.verify(await resign(h, jwt, 'jwk-test-junk-new'))
  t.match(budget, { reason: 'unknown_key', askStytch: true }, 'the budget is per second')
})

t.test('a token whose key cannot be checked is still checked for everything else', async (t) => {
  const { h, verifier, jwt, clock, tokens } = await setup(t)
  clock.advance(200) // inside the floor: every unknown kid is unchecked
  const seconds = Math.floor(tokens.now() / 1000)
  const cases: Array<[string, string, (p: JWTPayload) => JWTPayload, string?]> = [
    ['wrong issuer', 'invalid', (p) => ({ ...p, iss: 'stytch.com/project-test-other' })],
    ['wrong audience', 'invalid', (p) => ({ ...p, aud: ['project-test-other'] })],
    ['no session claim', 'invalid', (p) => { const { 'https://stytch.com/session': _s, ...rest } = p; return rest }],
    ['no exp', 'invalid', (p) => { const { exp: _e, ...rest } = p; return rest }],
    ['string nbf', 'invalid', (p) => ({ ...p, nbf: 'soon' as never })],
    ['expired', 'expired', (p) => ({ ...p, exp: seconds - 60 })],
    ['too old', 'too_old', (p) => ({ ...p, iat: seconds - 600 })],
    ['not yet valid', 'invalid', (p) => ({ ...p, nbf: seconds + 600 })],
    ['typ at+jwt', 'invalid', (p) => p, 'at+jwt'],
    ['typ application/jwt', 'unknown_key', (p) => p, 'application/JWT'],
    ['audience as a string', 'unknown_key', (p) => ({ ...p, aud: h.emu.projectId })]
  ]
  for (const [label, expected, change, typ] of cases) {
    t.equal(reasonOf(await verifier.verify(await resign(h, jwt, `jwk-test-${label.replaceAll(' ', '-')}`, change, typ))), expected, label)
  }
  const [header, payload] = jwt.split('.') as [string, string]
  const garbledHeader = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'jwk-test-garbled', typ: 'JWT' })).toString('base64url')
  t.equal(reasonOf(await verifier.verify(`${garbledHeader}.not-json.c2ln`)), 'invalid', 'unreadable claims')
  t.equal(reasonOf(await verifier.verify(`${header}.${payload}.`)), 'invalid', 'no signature')
})

t.test('wrong algorithms never reach the key set', async (t) => {
  const { h, verifier, jwt, clock, fetches } = await setup(t)
  clock.advance(5000)
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'jwk-test-none' })).toString('base64url')}.${jwt.split('.')[1] ?? ''}.`
  t.equal(reasonOf(await verifier.verify(none)), 'invalid')
  const hs256 = await new SignJWT(decodeJwt(jwt)).setProtectedHeader({ alg: 'HS256', kid: 'jwk-test-hs', typ: 'JWT' }).sign(new TextEncoder().encode('k'.repeat(32)))
  t.equal(reasonOf(await verifier.verify(hs256)), 'invalid')
  const noKid = await new SignJWT(decodeJwt(jwt)).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(h.emu.state.keys.current.privateKey)
  t.equal(reasonOf(await verifier.verify(noKid)), 'invalid')
  t.equal(await fetches(), 1, 'no fetch')
})

t.test('JWKS down: known keys keep verifying; a new key is unknown_key, never invalid', async (t) => {
  const { h, verifier, jwt, clock, tokens } = await setup(t)
  await control(h.emu, 'POST', '/emulator/faults', { endpoint: JWKS_ROUTE, down: 'reset' })
  await rotate(h)
  const fresh = (await login(h, 'viewer@acme.test')).session_jwt
  tokens.set(issuedAtMs(fresh))
  clock.advance(1000)
  t.match(await verifier.verify(fresh), { reason: 'unknown_key', askStytch: true, retryAfterSeconds: 1 }, 'the fetch failed')
  t.ok((await verifier.verify(jwt)).ok, 'the old key is still known')
  clock.advance(1000)
  t.match(await verifier.verify(fresh), { reason: 'unknown_key' }, 'still failing: still unknown_key, not invalid')
  await control(h.emu, 'DELETE', '/emulator/faults')
  clock.advance(1000)
  t.ok((await verifier.verify(fresh)).ok, 'Stytch back: verified')
})

t.test('a key Stytch retired: its genuine JWTs go to Stytch (unknown_key), tampered ones stay invalid', async (t) => {
  const { h, verifier, jwks, jwt, clock, tokens } = await setup(t, { verifier: { unknownKeyStytchPerSecond: 0 } })
  const remembered = await verifier.verify(jwt)
  t.ok(remembered.ok)
  const other = (await login(h, 'viewer@acme.test')).session_jwt // same old key, never verified here
  tokens.set(issuedAtMs(other))
  const oldKid = h.emu.state.keys.current.kid
  await rotate(h)
  await control(h.emu, 'DELETE', `/emulator/keys/${encodeURIComponent(oldKid)}`)
  clock.advance(1000)
  await jwks.refresh()
  t.match(verifier.verify(jwt), { ok: false, reason: 'unknown_key', askStytch: true }, 'remembered token, key since retired')
  t.match(await verifier.verify(other), { ok: false, reason: 'unknown_key', askStytch: true }, 'fresh token, retired key: genuine (budget not used)')
  const [header, payload, signature] = other.split('.') as [string, string, string]
  const tampered = `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
  t.equal(reasonOf(await verifier.verify(tampered)), 'invalid', 'a bad signature under a retired kid')
  t.equal(verifier.size, 0, 'retired-key tokens are not remembered')
})
