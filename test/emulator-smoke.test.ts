import t from 'tap'
import { B2BClient } from 'stytch'
import { startEmulator } from '../src/emulator/index.js'

interface OutboxBody { messages: Array<{ type: string, token: string, link: string }> }
interface CallsBody { calls: Record<string, number>, total: number }

t.test('magic link → session → local JWT verification, against the emulator over HTTP', async (t) => {
  const emulator = await startEmulator()
  t.teardown(emulator.close)
  t.capture(console, 'warn') // the SDK warns once per client built with a custom env
  const client = new B2BClient({ project_id: emulator.projectId, secret: emulator.secret, env: emulator.url })
  const control = async <T>(path: string, method = 'GET'): Promise<T> =>
    await (await fetch(new URL(path, emulator.url), { method })).json() as T

  const sent = await client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'Editor@acme.test' })
  t.equal(sent.member_created, false, 'the seeded member logs in')

  const outbox = await control<OutboxBody>('/emulator/outbox?email=editor@acme.test')
  const message = outbox.messages.at(-1)
  if (message === undefined) throw new Error('no magic link in the outbox')
  t.equal(message.type, 'login')
  t.match(message.link, /\?stytch_token_type=multi_tenant_magic_links&token=/)

  const login = await client.magicLinks.authenticate({ magic_links_token: message.token })
  t.equal(login.member.status, 'active')
  t.equal(login.member.email_address_verified, true)
  t.same(login.member_session?.roles, ['stytch_member', 'editor'])

  const session = await client.sessions.authenticate({ session_token: login.session_token })
  t.equal(session.member_session.member_session_id, login.member_session?.member_session_id)

  await control('/emulator/calls/reset', 'POST')
  const local = await client.sessions.authenticateJwtLocal({
    session_jwt: session.session_jwt,
    authorization_check: { organization_id: login.organization_id, resource_id: 'documents', action: 'update' }
  })
  t.equal(local.member_session_id, login.member_session?.member_session_id)
  t.same(local.roles, ['stytch_member', 'editor'])

  const { calls } = await control<CallsBody>('/emulator/calls')
  t.equal(calls['POST /v1/b2b/sessions/authenticate'], undefined, 'no remote authenticate call')
  t.equal(calls['GET /v1/b2b/sessions/jwks/:project_id'], 1, 'the JWKS was fetched once')
})
