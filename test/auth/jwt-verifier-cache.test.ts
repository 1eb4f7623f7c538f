// The JWT verifier's cache of verified tokens is bounded (oldest first), and a hit is confirmed on
// the whole token: real session JWTs from the emulator, the verifier's clock seam.
import t from 'tap'
import { decodeJwt } from 'jose'
import { createJwtVerifier } from '../../src/auth/jwt-verifier.js'
import { createJwksCache } from '../../src/stytch/jwks.js'
import { login, startHarness } from '../emulator/helper.js'

t.test('at cacheSize the oldest verified token is forgotten; the others stay synchronous hits', async (t) => {
  const h = await startHarness(t)
  const jwks = createJwksCache({ client: h.client, projectId: h.emu.projectId })
  await jwks.refresh()
  const jwts = [
    (await login(h, 'admin@acme.test')).session_jwt,
    (await login(h, 'editor@acme.test')).session_jwt,
    (await login(h, 'viewer@acme.test')).session_jwt
  ]
  const at = (decodeJwt(jwts[2] as string).iat as number) * 1000
  const verifier = createJwtVerifier({ jwks, projectId: h.emu.projectId, clockToleranceSeconds: 5, maxTokenAgeSeconds: 300, cacheSize: 2, now: () => at })
  for (const jwt of jwts) t.ok((await verifier.verify(jwt)).ok)
  t.equal(verifier.size, 2, 'never more than cacheSize')
  const [first, second, third] = jwts as [string, string, string]
  t.notOk(verifier.verify(third) instanceof Promise, 'the newest is remembered')
  t.notOk(verifier.verify(second) instanceof Promise, 'the second is remembered')
  const again = verifier.verify(first)
  t.ok(again instanceof Promise, 'the oldest was forgotten: verified in full again')
  t.ok((await again).ok, 'and still valid')
  t.equal(verifier.size, 2)
  t.ok(verifier.verify(second) instanceof Promise, 're-remembering the first pushed out the second')
})

t.test('a token that only shares a remembered signature is verified in full, and fails', async (t) => {
  const h = await startHarness(t)
  const jwks = createJwksCache({ client: h.client, projectId: h.emu.projectId })
  await jwks.refresh()
  const jwt = (await login(h, 'viewer@acme.test')).session_jwt
  const at = (decodeJwt(jwt).iat as number) * 1000
  const verifier = createJwtVerifier({ jwks, projectId: h.emu.projectId, clockToleranceSeconds: 5, maxTokenAgeSeconds: 300, now: () => at })
  t.ok((await verifier.verify(jwt)).ok)
  const [header, payload, signature] = jwt.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
  const swapped = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'member-test-someone-else' })).toString('base64url')}.${signature}`
  const verdict = verifier.verify(swapped)
  t.ok(verdict instanceof Promise, 'not answered from the cache')
  t.match(await verdict, { ok: false, reason: 'invalid' })
  t.ok((await verifier.verify(jwt)).ok, 'the genuine token is still remembered')
  t.equal(verifier.size, 1)
})
