import t from 'tap'
import { buildApp, emulatorPost, loginForTokens } from '../helper.js'
import { assertApiError } from '../app/raw-http.js'

const bearer = (value: string): Record<string, string> => ({ authorization: `Bearer ${value}` })

/** Each 401 code says the true reason, against the real SDK and the emulator. */
t.test('each 401 code names the true reason', async (t) => {
  const ctx = await buildApp(t)
  const me = async (headers: Record<string, string>) => await ctx.app.inject({ url: '/v1/me', headers })
  const expect401 = async (headers: Record<string, string>, code: string, what: string): Promise<void> => {
    const response = await me(headers)
    t.equal(response.statusCode, 401, what)
    assertApiError(t, response.json(), 401, code, what)
  }

  await expect401({}, 'missing_credentials', 'no credentials at all')
  for (const value of ['Bearer a b', 'Bearer short', 'Basic dXNlcjpwYXNz', 'Bearer ' + 'x'.repeat(200)]) {
    await expect401({ authorization: value }, 'invalid_credentials', `malformed: ${value.slice(0, 20)}`)
  }
  const live = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const [header, payload] = live.session_jwt.split('.')
  await expect401(bearer(`${header ?? ''}.${payload ?? ''}.AAAA`), 'invalid_credentials', 'a JWT with a forged signature')

  // A token of the right shape that Stytch never issued: unknown, not "revoked".
  await expect401(bearer('x'.repeat(44)), 'session_not_found', 'a garbage session token')
  await expect401(bearer('A1b2'.repeat(11)), 'session_not_found', 'another unknown session token')

  // An expired JWT, and no session token to refresh it with.
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: -3600 })
  const old = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/config', { clock_offset_seconds: 0 })
  await expect401(bearer(old.session_jwt), 'session_expired', 'an expired session JWT')

  // Revoked through the API: the JWT is refused from the revocation list, the token by Stytch.
  const phone = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const revoke = await ctx.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${phone.session.member_session_id}`, headers: bearer(live.session_jwt) })
  t.equal(revoke.statusCode, 204)
  await expect401(bearer(phone.session_jwt), 'session_revoked', 'the JWT of a revoked session')
  await expect401(bearer(phone.session_token), 'session_not_found', 'the bare token of a revoked session: Stytch has no live session for it')

  // Revoked behind the API's back (Stytch's dashboard): a sensitive route confirms the JWT's
  // session with Stytch, which ended it while the JWT was still valid: revoked.
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  await ctx.app.stytch.client.sessions.revoke({ member_session_id: admin.session.member_session_id })
  const invite = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(admin.session_jwt), payload: { email_address: 'new@acme.test' } })
  t.equal(invite.statusCode, 401)
  assertApiError(t, invite.json(), 401, 'session_revoked', 'a live JWT whose session Stytch ended')
})

t.test('refreshSession with an unknown token: session_not_found, not session_revoked', async (t) => {
  const ctx = await buildApp(t)
  const response = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: 'y'.repeat(48) } })
  t.equal(response.statusCode, 401)
  assertApiError(t, response.json(), 401, 'session_not_found')
  t.notMatch(response.json().message, /revoked/)
})
