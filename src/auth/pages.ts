import { createHash } from 'node:crypto'
import { DISCOVERY_CALLBACK_PATH, DISCOVERY_SEND_PATH, MAGIC_LINK_CALLBACK_PATH } from '../config.js'
import type { LinkContext } from './link-context.js'

/**
 * The few HTML pages of the magic-link flow (a browser opening an emailed link must never see a
 * JSON error): the confirmation page, the "link sent" page, and the pages that explain why a link
 * did not work, each with a way to ask for a new one. Every interpolated value is escaped.
 */

export interface Page {
  statusCode: number
  html: string
  /** 503 pages: seconds after which retrying makes sense. */
  retryAfterSeconds?: number
}

/** Where the "ask for a new link" form posts (sendLoginMagicLink accepts an HTML form). */
export const SEND_PATH = '/v1/auth/magic-links/send'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text made safe for HTML element content and double- or single-quoted attribute values. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1f;background:#f6f6f8;margin:0}' +
  'main{max-width:30rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}' +
  'h1{font-size:1.35rem;margin-top:0}button{font:inherit;padding:.55rem 1.3rem;border:0;border-radius:5px;background:#2b59c3;color:#fff;cursor:pointer}' +
  'label{display:block;font-size:.9rem;margin-top:.6rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.35rem;margin:.15rem 0 .4rem}' +
  '.note{color:#555;font-size:.9rem}.warn{background:#fff4e5;border-left:4px solid #e8a33d;padding:.6rem .8rem;margin:1rem 0}' +
  'form{margin:1.2rem 0}hr{border:0;border-top:1px solid #ddd;margin:1.5rem 0}'
/** The pages' CSP allows exactly this stylesheet, by hash: no other style or any script can run. */
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`

/**
 * Response headers of every page. `form-action` lists the origins the confirmation may redirect to
 * (browsers check a form's redirects against it too). `Referrer-Policy: strict-origin`: the form
 * posts carry a real `Origin` (under `no-referrer` a browser sends `Origin: null`) but no URL, so
 * the token in the page's address is never sent as a referrer.
 */
export function pageHeaders (redirectTargets: string[]): Record<string, string> {
  const origins = [...new Set(redirectTargets.map((url) => new URL(url).origin))]
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': ["default-src 'none'", `style-src ${STYLE_HASH}`, `form-action 'self' ${origins.join(' ')}`.trim(), "frame-ancestors 'none'", "base-uri 'none'"].join('; '),
    'referrer-policy': 'strict-origin'
  }
}

function layout (title: string, body: string): string {
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body><main>\n${body}\n</main></body></html>\n`
}

const hidden = (name: string, value: string | undefined): string =>
  value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`

/** The link, posted back to the callback: only this explicit, same-origin POST spends the token. */
export interface LinkFields {
  token: string
  next?: string | undefined
  sealedContext?: string | undefined
  /** A discovery link (no organization): its own callback. */
  discovery?: boolean | undefined
}

function linkForm (link: LinkFields, label: string): string {
  return `<form method="post" action="${link.discovery === true ? DISCOVERY_CALLBACK_PATH : MAGIC_LINK_CALLBACK_PATH}">${hidden('token', link.token)}${hidden('next', link.next)}${hidden('context', link.sealedContext)}` +
    `<button type="submit">${escapeHtml(label)}</button></form>`
}

/** Whom a new link is for, as far as the page knows. */
export interface NewLinkFields { email?: string | undefined, organization?: string | undefined, discovery?: boolean | undefined }

function newLinkForm (fields: NewLinkFields): string {
  const value = (v: string | undefined): string => (v === undefined ? '' : ` value="${escapeHtml(v)}"`)
  if (fields.discovery === true) {
    return `<form method="post" action="${DISCOVERY_SEND_PATH}">` +
      `<label for="email_address">Email address</label><input id="email_address" name="email_address" type="email" required maxlength="254" autocomplete="email"${value(fields.email)}>` +
      '<button type="submit">Email me a new link</button></form>'
  }
  return `<form method="post" action="${SEND_PATH}">` +
    `<label for="email_address">Email address</label><input id="email_address" name="email_address" type="email" required maxlength="254" autocomplete="email"${value(fields.email)}>` +
    `<label for="organization">Organization</label><input id="organization" name="organization" required maxlength="128"${value(fields.organization)}>` +
    '<button type="submit">Email me a new link</button></form>'
}

const fieldsOf = (context: LinkContext | undefined): NewLinkFields => context?.kind === 'discovery'
  ? { email: context.email, discovery: true }
  : { email: context?.email, organization: context?.organization }
const strong = (value: string): string => `<strong>${escapeHtml(value)}</strong>`

const NOTHING_HAPPENS = '<p class="note">Did not ask for this link, or it is not you? Just close this page: nothing happens until you press the button.</p>'

export interface ConfirmInput {
  link: LinkFields
  /** What the link is for (undefined: the link carries no context this API sealed). */
  context?: LinkContext | undefined
  /** Whether this browser holds a PKCE verifier, i.e. asked for a login link in the last few minutes. */
  hasVerifier: boolean
}

/**
 * The landing page of every emailed link: it names the organization and the address and logs in
 * only when the button is pressed (a same-origin POST). Opening it — a link scanner, a preview, a
 * second click — spends nothing.
 */
export function confirmPage (input: ConfirmInput): Page {
  const { context, link } = input
  if (context === undefined) {
    return {
      statusCode: 200,
      html: layout('Log in with this link?', '<h1>Log in with this link?</h1>' +
        '<p class="warn">This page cannot tell which organization or account this link is for. Continue only if you asked for a login link just now: a link someone else sent you logs you in to <em>their</em> account.</p>' +
        linkForm(link, 'Log in') + NOTHING_HAPPENS)
    }
  }
  const org = escapeHtml(context.organization)
  if (context.kind === 'discovery') {
    const elsewhere = context.pkce && !input.hasVerifier
      ? '<p class="warn">This browser did not ask for this link. A login link works only in the browser (or app) that asked for it: open it there, or ask for a new link at the bottom of this page.</p>'
      : ''
    return {
      statusCode: 200,
      html: layout('Log in to find your organizations', '<h1>Log in</h1>' +
        `<p>You are about to log in as ${strong(context.email)}, then choose one of your organizations.</p>` +
        elsewhere + linkForm({ ...link, discovery: true }, 'Log in') + NOTHING_HAPPENS +
        (elsewhere === '' ? '' : `<hr>${newLinkForm(fieldsOf(context))}`))
    }
  }
  if (context.kind === 'invite') {
    return {
      statusCode: 200,
      html: layout(`Join ${context.organization}`, `<h1>Join ${org}</h1>` +
        `<p>You were invited to ${strong(context.organization)} as ${strong(context.email)}. Accept the invitation and log in?</p>` +
        linkForm(link, 'Accept and log in') + NOTHING_HAPPENS)
    }
  }
  // A link sent with a PKCE challenge works only where its verifier is: say so before the button fails.
  const lacksVerifier = context.pkce && !input.hasVerifier
  const elsewhere = !lacksVerifier
    ? ''
    : '<p class="warn">This browser did not ask for this link. A login link works only in the browser (or app) that asked for it: open it there, or ask for a new link at the bottom of this page.</p>'
  return {
    statusCode: 200,
    html: layout(`Log in to ${context.organization}`, `<h1>Log in to ${org}</h1>` +
      `<p>You are about to log in to ${strong(context.organization)} as ${strong(context.email)}.</p>` +
      elsewhere + linkForm(link, 'Log in') + NOTHING_HAPPENS +
      (lacksVerifier ? `<hr>${newLinkForm(fieldsOf(context))}` : ''))
  }
}

interface ProblemInput {
  statusCode: number
  title: string
  /** Already HTML (built here from escaped values). */
  message: string
  newLink?: NewLinkFields
  retry?: LinkFields
  appUrl?: string
  retryAfterSeconds?: number
}

function problemPage (input: ProblemInput): Page {
  const body = `<h1>${escapeHtml(input.title)}</h1><p>${input.message}</p>` +
    (input.appUrl === undefined ? '' : `<p><a href="${escapeHtml(input.appUrl)}">Continue to the app</a></p>`) +
    (input.retry === undefined ? '' : linkForm(input.retry, 'Try again')) +
    (input.newLink === undefined ? '' : `<hr><p>Ask for a new link:</p>${newLinkForm(input.newLink)}`)
  return { statusCode: input.statusCode, html: layout(input.title, body), ...(input.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: input.retryAfterSeconds }) }
}

/** A link Stytch refused as used or expired (or unknown): the second click, the late click. */
export function spentLinkPage (context: LinkContext | undefined, appUrl: string): Page {
  return problemPage({
    statusCode: 410,
    title: 'This link has already been used or has expired',
    message: 'Each link works once, for a limited time. If you have just logged in with it, you are done here. Otherwise, ask for a new one.',
    appUrl,
    newLink: fieldsOf(context)
  })
}

/** A link whose context says it has expired: known without asking Stytch. */
export function expiredLinkPage (context: LinkContext): Page {
  return problemPage({
    statusCode: 410,
    title: 'This link has expired',
    message: `This ${context.kind === 'invite' ? 'invitation' : 'login link'} for ${strong(context.email)} is no longer valid. Ask for a new link: it goes to the same address.`,
    newLink: fieldsOf(context)
  })
}

/** PKCE refused the login: the link was requested by another browser or app (or this one lost its cookie). */
export function otherBrowserPage (context: LinkContext | undefined): Page {
  return problemPage({
    statusCode: 400,
    title: 'This link was requested from another browser',
    message: 'A login link works only in the browser (or app) that asked for it, so that nobody can log you in to an account that is not yours. Open it there, or ask for a new link here.',
    newLink: fieldsOf(context)
  })
}

/** The token is missing or malformed: a truncated or mangled link (a discovery link's page asks for a discovery link). */
export function incompleteLinkPage (context: LinkContext | undefined, discovery = context?.kind === 'discovery'): Page {
  return problemPage({
    statusCode: 400,
    title: 'This link is incomplete',
    message: 'Part of the link is missing (some email programs break long links). Open the whole link from the email, or ask for a new one.',
    newLink: discovery ? { email: context?.email, discovery: true } : fieldsOf(context)
  })
}

/** Stytch did not answer: the token was not spent; the same link can be tried again. */
export function unavailablePage (retry: LinkFields | undefined, retryAfterSeconds: number, newLink?: NewLinkFields): Page {
  return problemPage({
    statusCode: 503,
    title: 'Login is unavailable right now',
    message: `The identity service did not answer. Nothing was used up: try again in ${retryAfterSeconds} seconds.`,
    ...(retry === undefined ? {} : { retry }),
    ...(newLink === undefined ? {} : { newLink }),
    retryAfterSeconds
  })
}

/** Any other refusal of the login (e.g. the organization requires a second factor). */
export function refusedPage (statusCode: number, message: string, context: LinkContext | undefined): Page {
  return problemPage({ statusCode, title: 'This link cannot log you in here', message: escapeHtml(message), newLink: fieldsOf(context) })
}

/** After the discovery "ask for a new link" form. */
export function discoveryLinkSentPage (fields: { email: string, minutes: number }): Page {
  return {
    statusCode: 200,
    html: layout('Check your email', '<h1>Check your email</h1>' +
      `<p>A login link is on its way to ${strong(fields.email)}.</p>` +
      `<p class="note">It works once, for ${fields.minutes} minutes, and only in this browser.</p>`)
  }
}

/** After the "ask for a new link" form: the same answer whether or not the address is a member. */
export function linkSentPage (fields: { email: string, organization: string, minutes: number }): Page {
  return {
    statusCode: 200,
    html: layout('Check your email', '<h1>Check your email</h1>' +
      `<p>If ${strong(fields.email)} can log in to ${strong(fields.organization)}, a login link is on its way.</p>` +
      `<p class="note">It works once, for ${fields.minutes} minutes, and only in this browser.</p>`)
  }
}
