import t from 'tap'
import { mailboxPage } from '../../src/emulator/mailbox.js'
import type { OutboxMessage } from '../../src/emulator/index.js'
import { buildApp } from '../helper.js'

t.test('GET /emulator/mailbox: the outbox as HTML, newest first, links clickable, a strict CSP', async (t) => {
  const ctx = await buildApp(t)
  for (const email of ['viewer@acme.test', 'editor@acme.test']) {
    const sent = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization: 'acme' } })
    t.equal(sent.statusCode, 202)
  }
  const response = await fetch(new URL('emulator/mailbox', ctx.emulator.url))
  t.equal(response.status, 200)
  t.match(response.headers.get('content-type'), /^text\/html/)
  const csp = response.headers.get('content-security-policy') ?? ''
  t.match(csp, /default-src 'none'/)
  t.notMatch(csp, /script-src|unsafe-inline/)
  const html = await response.text()
  t.notMatch(html, /<script/i)
  const order = [...html.matchAll(/class="to">([^<]+)</g)].map((m) => m[1])
  t.same(order, ['editor@acme.test', 'viewer@acme.test'], 'newest first')
  const links = [...html.matchAll(/<a class="link" href="([^"]+)"/g)].map((m) => (m[1] as string).replaceAll('&amp;', '&'))
  t.equal(links.length, 2)
  for (const link of links) t.ok(link.startsWith(`${ctx.config.PUBLIC_URL}/v1/auth/magic-links/callback?`), 'a link to the API\'s landing page')

  const filtered = await (await fetch(new URL('emulator/mailbox?email=Viewer@acme.test', ctx.emulator.url))).text()
  t.same([...filtered.matchAll(/class="to">([^<]+)</g)].map((m) => m[1]), ['viewer@acme.test'], '?email filters, case-insensitively')
  t.match(filtered, /href="\/emulator\/outbox\?email=viewer%40acme\.test">JSON</, 'beside its JSON view')
})

t.test('the mailbox escapes every value', async (t) => {
  const hostile = '"><script>alert(1)</script>'
  const message: OutboxMessage = {
    email_address: `a${hostile}@b`,
    type: 'login',
    organization_id: 'o',
    organization_slug: hostile,
    member_id: 'm',
    link: `https://x/?a=${hostile}`,
    token: 't',
    redirect_url: 'r',
    sent_at: hostile,
    expires_at: '2000-01-01T00:00:00Z',
    pkce_code_challenge: null
  }
  const html = mailboxPage([message], hostile)
  t.notMatch(html, /<script/)
  t.match(html, /class="message expired"/, 'an expired link is shown as such')
  t.match(mailboxPage([], undefined), /No email yet/)
})
