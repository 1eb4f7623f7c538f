import { createHash } from 'node:crypto'
import { escapeHtml } from './auth/pages.js'

/**
 * `GET /`: what is running here, who is logged in, and where to go next — as a small HTML page
 * for a browser, or a JSON index for everyone else. Framework-free: the route gathers the facts.
 */

export interface RunningFacts {
  version: string
  /** The identity provider: the embedded emulator, a standalone emulator (http URL), or Stytch. */
  stytch: { kind: 'embedded-emulator' | 'emulator' | 'stytch', url: string | null, environment: 'test' | 'live' | null }
  database: 'postgresql' | 'pglite'
  docsUrl: string | null
  /** The emulator's HTML mailbox (emulators only). */
  mailboxUrl: string | null
  /** The seeded admin a login link can be sent to (emulators only). */
  devLogin: { email: string, organization: string } | null
}

export interface Visitor {
  member: { email_address: string | null, member_id: string }
  organization: { organization_slug: string }
  session: { expires_at: string, roles: string[] }
}

export interface HomeIndex {
  name: string
  version: string
  stytch: RunningFacts['stytch']
  database: RunningFacts['database']
  links: { docs: string | null, openapi: string | null, health: string, readiness: string, mailbox: string | null }
  authenticated_as: { member_id: string, email_address: string | null, organization_slug: string, roles: string[] } | null
}

export const homeIndex = (facts: RunningFacts, visitor: Visitor | null): HomeIndex => ({
  name: 'b2b-session-api',
  version: facts.version,
  stytch: facts.stytch,
  database: facts.database,
  links: {
    docs: facts.docsUrl,
    openapi: facts.docsUrl === null ? null : `${facts.docsUrl}/json`,
    health: '/healthz',
    readiness: '/readyz',
    mailbox: facts.mailboxUrl
  },
  authenticated_as: visitor === null ? null : { member_id: visitor.member.member_id, email_address: visitor.member.email_address, organization_slug: visitor.organization.organization_slug, roles: visitor.session.roles }
})

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1f;background:#f6f6f8;margin:0}' +
  'main{max-width:40rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}' +
  'h1{font-size:1.4rem;margin-top:0}h2{font-size:1.05rem;margin:1.4rem 0 .4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}' +
  'dt{color:#555}dd{margin:0}button{font:inherit;padding:.5rem 1.2rem;border:0;border-radius:5px;background:#2b59c3;color:#fff;cursor:pointer}' +
  'ul{padding-left:1.2rem}.note{color:#555;font-size:.9rem}.who{background:#eef6ee;border-left:4px solid #3a9b4a;padding:.6rem .8rem}' +
  '.anon{background:#f4f4f6;border-left:4px solid #999;padding:.6rem .8rem}form{margin:.6rem 0}'
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`

/** The page's headers: a strict CSP (no script at all; only its own stylesheet; forms post to this origin). */
export const HOME_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'referrer-policy': 'strict-origin'
})

function stytchLine (stytch: RunningFacts['stytch']): string {
  if (stytch.kind === 'embedded-emulator') return `the embedded Stytch emulator at <code>${escapeHtml(stytch.url ?? '')}</code> (development only: no STYTCH_PROJECT_ID/STYTCH_SECRET set)`
  if (stytch.kind === 'emulator') return `a Stytch emulator at <code>${escapeHtml(stytch.url ?? '')}</code>`
  return `Stytch${stytch.environment === null ? '' : ` (${stytch.environment} environment)`}${stytch.url === null ? '' : ` at <code>${escapeHtml(stytch.url)}</code>`}`
}

const FAILURES: Record<string, string> = {
  session_expired: 'your session has expired',
  session_revoked: 'your session was revoked',
  session_not_found: 'your session has ended',
  identity_provider_unavailable: 'Stytch could not be reached to check your session; reload shortly',
  identity_provider_busy: 'Stytch is busy; reload shortly'
}

function visitorSection (visitor: Visitor | null, authFailure: string | null): string {
  if (visitor !== null) {
    return `<p class="who">Logged in as <strong id="member">${escapeHtml(visitor.member.email_address ?? visitor.member.member_id)}</strong>` +
      ` in <strong id="organization">${escapeHtml(visitor.organization.organization_slug)}</strong>` +
      ` <span class="note">(roles ${escapeHtml(visitor.session.roles.join(', '))}; session until ${escapeHtml(visitor.session.expires_at)})</span></p>`
  }
  const why = authFailure === null ? '' : ` (${escapeHtml(FAILURES[authFailure] ?? 'the session cookie was not accepted')})`
  return `<p class="anon" id="anonymous">Not logged in${why}.</p>`
}

/** The HTML page. Every interpolated value is escaped. */
export function homePage (facts: RunningFacts, visitor: Visitor | null, authFailure: string | null, sendPath: string): string {
  const links = [
    facts.docsUrl === null ? '' : `<li><a id="docs" href="${escapeHtml(facts.docsUrl)}">Swagger UI</a>: the API's operations; Try it out sends your session cookies automatically (same origin)</li>`,
    facts.mailboxUrl === null ? '' : `<li><a id="mailbox" href="${escapeHtml(facts.mailboxUrl)}">The emulator's mailbox</a>: every email it "sent", with clickable login links</li>`,
    '<li><a href="/healthz">/healthz</a> and <a href="/readyz">/readyz</a>: liveness and readiness</li>'
  ].filter((line) => line !== '').join('')
  const login = facts.devLogin === null || facts.mailboxUrl === null
    ? ''
    : '<h2>Log in</h2>' +
      `<p>The seeded admin is <strong>${escapeHtml(facts.devLogin.email)}</strong> (organization ${escapeHtml(facts.devLogin.organization)}). ` +
      `A login link for it was printed at start-up and is in the <a id="login-link" href="${escapeHtml(`${facts.mailboxUrl}?email=${encodeURIComponent(facts.devLogin.email)}`)}">mailbox</a>; or email a new one:</p>` +
      `<form method="post" action="${escapeHtml(sendPath)}"><input type="hidden" name="email_address" value="${escapeHtml(facts.devLogin.email)}">` +
      `<input type="hidden" name="organization" value="${escapeHtml(facts.devLogin.organization)}"><button type="submit">Email a login link to ${escapeHtml(facts.devLogin.email)}</button></form>` +
      '<p class="note">Open the link from the mailbox in this browser and press "Log in" (a link asked for from this page works only in this browser: PKCE).</p>'
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta name="robots" content="noindex"><title>b2b-session-api</title><style>${STYLE}</style></head>\n<body><main>\n` +
    `<h1>b2b-session-api <span class="note">${escapeHtml(facts.version)}</span></h1>\n` +
    `${visitorSection(visitor, authFailure)}\n` +
    `<h2>Running</h2><dl><dt>Identity</dt><dd id="stytch">${stytchLine(facts.stytch)}</dd>` +
    `<dt>Database</dt><dd id="database">${facts.database === 'postgresql' ? 'PostgreSQL (DATABASE_URL)' : 'PGlite, embedded (DATA_DIR)'}</dd>` +
    `<dt>Version</dt><dd id="version">${escapeHtml(facts.version)}</dd></dl>\n` +
    `<h2>Links</h2><ul>${links}</ul>\n${login}\n` +
    '<p class="note">JSON clients: the same facts as JSON with <code>Accept: application/json</code>.</p>\n</main></body></html>\n'
}
