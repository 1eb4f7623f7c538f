import t from 'tap'
import { CLIENT_CLAIMS_MAX_BYTES } from '../../src/schemas/session.js'
import { buildApp, loginForCookies } from '../helper.js'

/** The largest client claims the API accepts: every allow-listed claim, ui_state filled to the byte cap. */
function largestClaims (): Record<string, unknown> {
  const uiState: Record<string, string> = {}
  const claims = { theme: 'light', locale: 'de-CH-1901', ui_state: uiState }
  for (let i = 0; ; i++) {
    uiState[`panel_${String(i).padStart(2, '0')}`] = 'x'.repeat(512)
    if (Buffer.byteLength(JSON.stringify(claims)) > CLIENT_CLAIMS_MAX_BYTES) {
      const key = `panel_${String(i).padStart(2, '0')}`
      const over = Buffer.byteLength(JSON.stringify(claims)) - CLIENT_CLAIMS_MAX_BYTES
      uiState[key] = 'x'.repeat(512 - over)
      return claims
    }
  }
}

t.test('with the largest custom claims accepted, the session JWT cookie stays under 4 KB (__Host- name included)', async (t) => {
  const ctx = await buildApp(t, { env: { COOKIE_HOST_PREFIX: 'true' } })
  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  const claims = largestClaims()
  t.equal(Buffer.byteLength(JSON.stringify(claims)), CLIENT_CLAIMS_MAX_BYTES, 'exactly at the cap')
  const updated = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', cookies, headers: { origin: 'http://api.test:3000' }, payload: { custom_claims: claims } })
  t.equal(updated.statusCode, 200)
  const jwtCookie = updated.cookies.find((c) => c.name === '__Host-stytch_session_jwt')
  t.ok(jwtCookie, 'the fresh JWT is set as a cookie')
  const size = (jwtCookie?.name.length ?? 0) + 1 + (jwtCookie?.value.length ?? Infinity)
  t.ok(size < 4096, `name=value is ${size} bytes`)
  const over = { ...claims, theme: 'dark', ui_state: { ...(claims.ui_state as object), extra: 'y' } }
  const refused = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', cookies: { '__Host-stytch_session': cookies['__Host-stytch_session'] as string, '__Host-stytch_session_jwt': jwtCookie?.value as string }, headers: { origin: 'http://api.test:3000' }, payload: { custom_claims: over } })
  t.equal(refused.statusCode, 400, 'one byte more is refused')
  t.equal(refused.json().code, 'custom_claims_too_large')
})
