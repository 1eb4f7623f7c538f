import t from 'tap'
import { buildApp, emulatorCalls, emulatorPost, loginForTokens } from '../helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('request bodies are not type-coerced, and unknown fields are a 400, not dropped', async (t) => {
  const ctx = await buildApp(t)
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const arrayEmail = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: ['admin@acme.test'], organization: 'acme' } })
  t.equal(arrayEmail.statusCode, 400, 'an array where an email is expected')
  t.equal(arrayEmail.json().code, 'validation_failed')
  t.same(await emulatorCalls(ctx.emulator), {}, 'no email sent')
  const extra = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'admin@acme.test', organization: 'acme', redirect: 'https://evil.test' } })
  t.equal(extra.statusCode, 400, 'an unknown field')
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const stringNumber = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: bearer(admin.session_jwt), payload: { session_duration_minutes: '60' } })
  t.equal(stringNumber.statusCode, 400, 'a string where an integer is expected')
  const numberString = await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/documents', headers: bearer(admin.session_jwt), payload: { title: 42 } })
  t.equal(numberString.statusCode, 400, 'a number where a string is expected')
  const boolString = await ctx.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(admin.session_jwt), payload: { keep_current: 'true' } })
  t.equal(boolString.statusCode, 400, 'a string where a boolean is expected')
  const query = await ctx.app.inject({ url: '/v1/organizations/acme/documents?limit=5', headers: bearer(admin.session_jwt) })
  t.equal(query.statusCode, 200, 'query strings keep their coercion (text to integer)')
})
