// The landing pages and the sealed link context, as units (no app): every interpolated value is
// escaped, and a context opens only when this API sealed it.
import t from 'tap'
import { linkContextSealer, type LinkContext } from '../../src/auth/link-context.js'
import { confirmPage, escapeHtml, expiredLinkPage, linkSentPage, pageHeaders, refusedPage, spentLinkPage } from '../../src/auth/pages.js'

const HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>" autofocus onfocus="alert(3)\' onblur=\'alert(4)&'
const context: LinkContext = { kind: 'login', organization: HOSTILE, email: `a${HOSTILE}@b.test`, pkce: true, expiresAt: Date.now() + 60_000 }

t.test('escapeHtml covers element content and both attribute quotes', async (t) => {
  t.equal(escapeHtml('<a href="x" title=\'y\'>&</a>'), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
})

t.test('no page lets an interpolated value out of its text or attribute', async (t) => {
  const link = { token: `tok${HOSTILE}`, next: `https://x.test/${HOSTILE}`, sealedContext: `ctx${HOSTILE}` }
  const pages = {
    'login confirmation': confirmPage({ link, context, hasVerifier: false }),
    'invite confirmation': confirmPage({ link, context: { ...context, kind: 'invite', pkce: false }, hasVerifier: true }),
    'no context': confirmPage({ link, hasVerifier: true }),
    spent: spentLinkPage(context, `https://app.test/${HOSTILE}`),
    expired: expiredLinkPage(context),
    refused: refusedPage(400, HOSTILE, context),
    sent: linkSentPage({ email: HOSTILE, organization: HOSTILE, minutes: 15 })
  }
  for (const [name, page] of Object.entries(pages)) {
    t.notMatch(page.html, /<script|<img|onerror=alert\(2\)>/, `${name}: no injected element`)
    t.notMatch(page.html, /onfocus="|onblur='/, `${name}: no quote breaks out of an attribute`)
    t.match(page.html, /&lt;script&gt;/, `${name}: the value is shown, escaped`)
  }
})

t.test('the pages\' CSP: no script at all, only their own stylesheet, no framing, forms to this origin and the redirect targets', async (t) => {
  const headers = pageHeaders(['https://app.example.com/home', 'https://app.example.com/settings', 'http://api.test:3000/docs'])
  const csp = headers['content-security-policy'] ?? ''
  t.match(csp, /default-src 'none'/)
  t.match(csp, /style-src 'sha256-[A-Za-z0-9+/]+=*'/)
  t.notMatch(csp, /unsafe-inline|script-src/)
  t.match(csp, /form-action 'self' https:\/\/app\.example\.com http:\/\/api\.test:3000(;|$)/)
  t.match(csp, /frame-ancestors 'none'/)
  t.equal(headers['cache-control'], 'no-store')
})

t.test('a link context opens only under the key that sealed it, unaltered', async (t) => {
  const sealer = linkContextSealer('secret-one')
  const sealed = sealer.seal({ kind: 'invite', organization: 'acme', email: 'new@partner.test', pkce: false, expiresAt: 1_900_000_000_000 })
  t.same(sealer.open(sealed), { kind: 'invite', organization: 'acme', email: 'new@partner.test', pkce: false, expiresAt: 1_900_000_000_000 })
  t.same(linkContextSealer('secret-one').open(sealed), sealer.open(sealed), 'another instance with the same secret opens it')
  t.notMatch(Buffer.from(sealed, 'base64url').toString('latin1'), /partner|acme/, 'the address is not readable in the link')
  t.equal(linkContextSealer('secret-two').open(sealed), undefined, 'another secret: nothing')
  const bytes = Buffer.from(sealed, 'base64url')
  bytes[20] = (bytes[20] ?? 0) ^ 1
  t.equal(sealer.open(bytes.toString('base64url')), undefined, 'one bit flipped: nothing')
  t.equal(sealer.open(Buffer.from('{"k":"login","o":"x","e":"y","p":false,"x":1}').toString('base64url')), undefined, 'plain JSON: nothing')
  t.equal(sealer.open('short'), undefined)
  t.equal(sealer.open(undefined), undefined)
})
