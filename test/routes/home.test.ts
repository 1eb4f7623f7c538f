import t from 'tap'
import { buildApp, loginForCookies } from '../helper.js'

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

t.test('GET / for JSON clients: a small index of what is running', async (t) => {
  const ctx = await buildApp(t)
  const response = await ctx.app.inject({ url: '/', headers: { accept: 'application/json' } })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  t.match(response.json(), {
    name: 'b2b-session-api',
    version: /^\d+\.\d+\.\d+/,
    stytch: { kind: 'emulator', url: ctx.emulator.url },
    database: 'pglite',
    links: { docs: '/docs', openapi: '/docs/json', health: '/healthz', mailbox: `${ctx.emulator.url}emulator/mailbox` },
    authenticated_as: null
  })
  t.equal(response.headers['cache-control'], 'no-store')
  t.match(response.headers.vary, /Accept/)
  const bare = await ctx.app.inject({ url: '/' })
  t.match(bare.headers['content-type'], /^application\/json/, 'no Accept: JSON')
})

t.test('GET / for a browser: an HTML page with a strict CSP, who is logged in (via the session cookie), and no secret', async (t) => {
  const ctx = await buildApp(t)
  const anonymous = await ctx.app.inject({ url: '/', headers: HTML })
  t.equal(anonymous.statusCode, 200)
  t.match(anonymous.headers['content-type'], /^text\/html/)
  const csp = String(anonymous.headers['content-security-policy'])
  t.match(csp, /default-src 'none'/)
  t.notMatch(csp, /script-src/, 'no script source at all')
  t.notMatch(csp, /unsafe-inline/)
  t.match(csp, /form-action 'self'/)
  t.notMatch(anonymous.body, /<script/i, 'no script in the page')
  t.match(anonymous.body, /Not logged in/)
  t.match(anonymous.body, /href="\/docs"/, 'links to Swagger UI')
  t.match(anonymous.body, new RegExp(`href="${ctx.emulator.url}emulator/mailbox"`), 'links to the mailbox')
  t.match(anonymous.body, /emulator\/mailbox\?email=admin%40acme\.test/, 'links to the seeded admin\'s login link in the mailbox')
  t.match(anonymous.body, /action="\/v1\/auth\/magic-links\/send"/, 'a form to email a new login link')
  t.match(anonymous.body, /PGlite/)

  const { cookies } = await loginForCookies(ctx.app, ctx.emulator, 'editor@acme.test')
  const member = await ctx.app.inject({ url: '/', headers: HTML, cookies })
  t.equal(member.statusCode, 200)
  t.match(member.body, /Logged in as <strong id="member">editor@acme\.test<\/strong>/)
  for (const secret of Object.values(cookies)) t.notOk(member.body.includes(secret), 'no session secret in the page')
  const json = await ctx.app.inject({ url: '/', cookies })
  t.match(json.json().authenticated_as, { email_address: 'editor@acme.test', organization_slug: 'acme', roles: ['stytch_member', 'editor'] })

  const garbage = await ctx.app.inject({ url: '/', headers: HTML, cookies: { stytch_session: 'x'.repeat(44) } })
  t.equal(garbage.statusCode, 200, 'a dead session is no error here')
  t.match(garbage.body, /Not logged in \(your session has ended\)/)
})

t.test('GET / escapes what it shows', async (t) => {
  const { homePage } = await import('../../src/home-page.js')
  const html = homePage({
    version: '<b>1</b>',
    stytch: { kind: 'emulator', url: 'http://x/"><script>alert(1)</script>', environment: null },
    database: 'pglite',
    docsUrl: '/docs',
    mailboxUrl: 'http://x/"onmouseover="alert(1)',
    devLogin: { email: '<i>a</i>@b', organization: 'o"rg' }
  }, { member: { email_address: '<img src=x>', member_id: 'm' }, organization: { organization_slug: '<s>' }, session: { expires_at: 'now', roles: ['<r>'] } }, null, '/send')
  t.notMatch(html, /<script|<img|<i>|<b>|<s>|<r>|"onmouseover/)
})
