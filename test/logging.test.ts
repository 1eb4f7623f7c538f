import t from 'tap'
import { redactUrl } from '../src/logging.js'
import { buildApp, latestToken, loginForTokens } from './helper.js'

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJtZW1iZXItdGVzdC0xIn0.c2lnbmF0dXJlLWJ5dGVz'

t.test('redactUrl: credential query values go, however the name is encoded; the rest is kept as sent', async (t) => {
  const cases: Array<[string, string]> = [
    ['/v1/auth/magic-links/callback?token=abc&next=%2Fdocs', '/v1/auth/magic-links/callback?token=[redacted]&next=%2Fdocs'],
    ['/cb?%74oken=abc', '/cb?%74oken=[redacted]'],
    ['/cb?%74%6F%6B%65%6E=abc', '/cb?%74%6F%6B%65%6E=[redacted]'],
    ['/cb?TOKEN=abc&Token=def', '/cb?TOKEN=[redacted]&Token=[redacted]'],
    ['/cb?a=1&token=abc&token=def#frag', '/cb?a=1&token=[redacted]&token=[redacted]'],
    ['/x?access_token=a&jwt=b&authorization=c&code=d&session_token=e&session_jwt=f&magic_links_token=g&pkce_code_verifier=h', '/x?access_token=[redacted]&jwt=[redacted]&authorization=[redacted]&code=[redacted]&session_token=[redacted]&session_jwt=[redacted]&magic_links_token=[redacted]&pkce_code_verifier=[redacted]'],
    ['/x?stytch_token=a&csrf-token=b&stytch_token_type=magic_links', '/x?stytch_token=[redacted]&csrf-token=[redacted]&stytch_token_type=magic_links'],
    [`/x?anything=${JWT}&q=1`, '/x?anything=[redacted]&q=1'],
    [`/x?h=Bearer+${JWT}`, '/x?h=[redacted]'],
    [`/x?h=${JWT.replaceAll('.', '%2E')}`, '/x?h=[redacted]'],
    [`/x?${JWT}`, '/x?[redacted]'],
    ['/x?token', '/x?token'],
    ['/x?bad=%E0%A4%A&token=%ZZ', '/x?bad=%E0%A4%A&token=[redacted]'],
    ['/x?version=1.2.3&cursor=abc', '/x?version=1.2.3&cursor=abc'],
    ['/x?', '/x?'],
    ['/no/query', '/no/query']
  ]
  for (const [url, expected] of cases) t.equal(redactUrl(url), expected, url)
  t.equal(redactUrl(`/x?token=${'%'.repeat(2000)}`), '/x?token=[redacted]', 'junk does not throw')
})

// Through the app, at every level: the request logs (and anything else) hold no credential.
for (const level of ['trace', 'debug', 'info', 'warn', 'error']) {
  t.test(`no credential from a query string reaches the logs at LOG_LEVEL=${level}`, async (t) => {
    const ctx = await buildApp(t, { env: { LOG_LEVEL: level } })
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'admin@acme.test', organization: 'acme' } })
    const token = await latestToken(ctx.emulator, 'admin@acme.test')

    // Issue 14 item 7: a percent-encoded name is still the `token` parameter: it reaches the
    // landing page, whose button would log in with it (a GET spends nothing since issue 10)...
    const landing = await ctx.app.inject({ url: `/v1/auth/magic-links/callback?%74oken=${token}` })
    t.equal(landing.statusCode, 200, 'the encoded name is the token')
    t.ok(landing.body.includes(token), 'the landing page carries it to its login button')
    // ...and the same with other encodings and credentials under any name.
    const { session_jwt: jwt, session_token: sessionToken } = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
    const secrets = [token, jwt, sessionToken]
    const urls = [
      `/v1/auth/magic-links/callback?%74%6f%6b%65%6e=${token}`,
      `/v1/auth/magic-links/callback?TOKEN=${token}`,
      `/v1/me?access_token=${sessionToken}`,
      `/v1/me?jwt=${jwt}`,
      `/v1/me?x=${jwt}`,
      `/v1/me?session_token=${sessionToken}&code=${sessionToken}`,
      `/nope?%74oken=${token}`,
      `/v1/me/sessions/%E0%A4%A?token=${token}`
    ]
    for (const url of urls) await ctx.app.inject({ url, headers: { authorization: `Bearer ${jwt}`, cookie: `stytch_session=${sessionToken}` } })

    const leaked = ctx.rawLogs.filter((line) => secrets.some((secret) => line.includes(secret) || line.includes(encodeURIComponent(secret))))
    t.same(leaked, [], 'no log line holds a token, a session token or a JWT')
    if (level === 'trace' || level === 'debug' || level === 'info') {
      const logged = ctx.logs.flatMap((l) => typeof (l.req as { url?: unknown } | undefined)?.url === 'string' ? [(l.req as { url: string }).url] : [])
      t.ok(logged.includes('/v1/auth/magic-links/callback?%74oken=[redacted]'), 'the request is logged, redacted')
      t.ok(logged.includes('/v1/me?x=[redacted]'), 'a JWT under any name is redacted')
    }
  })
}
