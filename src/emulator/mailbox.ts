import { createHash } from 'node:crypto'
import type { OutboxMessage } from './state.js'

/**
 * The outbox as a mailbox a developer reads in a browser: every email the emulator "sent",
 * newest first, each with its link clickable. Every value is HTML-escaped; the page runs no script
 * (its CSP allows exactly its own stylesheet, by hash).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;color:#1b1b1f;background:#f6f6f8;margin:0}' +
  'main{max-width:56rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.4rem}' +
  'article{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:1rem 1.2rem;margin:1rem 0}' +
  'h2{font-size:1.05rem;margin:0 0 .3rem}.meta{color:#555;font-size:.85rem}a.link{display:inline-block;margin-top:.5rem;padding:.45rem 1rem;border-radius:5px;background:#2b59c3;color:#fff;text-decoration:none}' +
  '.expired{opacity:.55}.empty{color:#555}code{font-size:.85rem;word-break:break-all}'
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`

/** Headers of the mailbox page: no script, no framing, nothing loaded but its own stylesheet. */
export const MAILBOX_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer'
})

const SUBJECTS: Record<string, string> = {
  login: 'Your login link',
  signup: 'Your sign-up link',
  invite: 'You are invited'
}

function message (m: OutboxMessage, now: number): string {
  const expired = Date.parse(m.expires_at) <= now
  return `<article class="message${expired ? ' expired' : ''}">` +
    `<h2>${escapeHtml(SUBJECTS[m.type] ?? m.type)} — ${escapeHtml(m.organization_slug)}</h2>` +
    `<div class="meta">To <strong class="to">${escapeHtml(m.email_address)}</strong> · sent ${escapeHtml(m.sent_at)} · ` +
    `${expired ? 'expired' : 'valid until'} ${escapeHtml(m.expires_at)}${m.pkce_code_challenge === null ? '' : ' · works only in the browser or app that asked for it (PKCE)'}</div>` +
    `<a class="link" href="${escapeHtml(m.link)}">${m.type === 'invite' ? 'Accept the invite' : 'Log in'}</a>` +
    `<div class="meta"><code>${escapeHtml(m.link)}</code></div></article>`
}

/** The mailbox page for these messages (all of them, or one address's). */
export function mailboxPage (messages: readonly OutboxMessage[], filter: string | undefined, now = Date.now()): string {
  const title = filter === undefined ? 'Emulator mailbox' : `Emulator mailbox: ${filter}`
  const list = messages.length === 0
    ? '<p class="empty">No email yet. Ask the API for a login link (POST /v1/auth/magic-links/send) and reload.</p>'
    : [...messages].reverse().map((m) => message(m, now)).join('\n')
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body><main>\n` +
    `<h1>${escapeHtml(title)}</h1><p class="meta">Every email the Stytch emulator "sent", newest first. ` +
    `${filter === undefined ? '' : '<a href="/emulator/mailbox">All addresses</a> · '}<a href="/emulator/outbox${filter === undefined ? '' : `?email=${encodeURIComponent(filter)}`}">JSON</a></p>\n` +
    `${list}\n</main></body></html>\n`
}
