import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { RunningEmulator } from '../../src/emulator/index.js'
import { cookiesOf, emulatorGet } from '../helper.js'

/**
 * The browser side of the magic-link flow, with app.inject: a "browser" is its cookie jar, and it
 * says where its requests come from the way browsers do (Origin / Sec-Fetch-Site).
 */

/** PUBLIC_URL of the test apps (test/helper.ts TEST_ENV). */
export const API_ORIGIN = 'http://api.test:3000'
export const SAME_ORIGIN = { origin: API_ORIGIN, 'sec-fetch-site': 'same-origin' }
export const CROSS_SITE = { origin: 'https://evil.test', 'sec-fetch-site': 'cross-site' }
export const FORM = 'application/x-www-form-urlencoded'

export type Jar = Record<string, string>

/** The jar after a response: its cookies set, cleared ones removed. */
export function update (jar: Jar, response: LightMyRequestResponse): Jar {
  const next = { ...jar, ...cookiesOf(response) }
  for (const cookie of response.cookies) if (cookie.value === '') Reflect.deleteProperty(next, cookie.name)
  return next
}

export interface OutboxMessage { email_address: string, type: string, link: string, token: string, sent_at: string, expires_at: string, pkce_code_challenge: string | null }

export async function latestMessage (emulator: RunningEmulator, email: string): Promise<OutboxMessage> {
  const { messages } = await emulatorGet<{ messages: OutboxMessage[] }>(emulator, `emulator/outbox?email=${encodeURIComponent(email)}`)
  const message = messages.at(-1)
  if (message === undefined) throw new Error(`no magic link for ${email}`)
  return message
}

/** The path and query of an emailed link, as the browser requests it from the API. */
export const pathOf = (link: string): string => { const url = new URL(link); return `${url.pathname}${url.search}` }

/** The browser asks for a login link (JSON, as a page of the API's origin would): the jar gets the verifier cookie. */
export async function browserSend (app: FastifyInstance, jar: Jar, email: string, organization = 'acme'): Promise<{ response: LightMyRequestResponse, jar: Jar }> {
  const response = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', headers: SAME_ORIGIN, cookies: jar, payload: { email_address: email, organization } })
  return { response, jar: update(jar, response) }
}

const decode = (value: string): string => value.replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The fields of the page's confirmation form (the one posting to the callback), undefined when it has none. */
export function confirmationForm (html: string): Record<string, string> | undefined {
  const form = /<form method="post" action="\/v1\/auth\/magic-links\/callback">(.*?)<\/form>/s.exec(html)?.[1]
  if (form === undefined) return undefined
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1] as string, decode(m[2] as string)]))
}

/** Whether the page offers the "ask for a new link" form (posting to sendLoginMagicLink). */
export const offersNewLink = (html: string): boolean => /<form method="post" action="\/v1\/auth\/magic-links\/send">/.test(html)

/** The confirmation button: a form post of the fields, from the given origin headers. */
export async function confirm (app: FastifyInstance, jar: Jar, fields: Record<string, string>, headers: Record<string, string> = SAME_ORIGIN): Promise<LightMyRequestResponse> {
  return await app.inject({
    method: 'POST',
    url: '/v1/auth/magic-links/callback',
    headers: { ...headers, 'content-type': FORM },
    cookies: jar,
    payload: new URLSearchParams(fields).toString()
  })
}

/** Whether a response logged a browser in (set a session cookie). */
export const setsSession = (response: LightMyRequestResponse): boolean =>
  response.cookies.some((c) => /stytch_session(_jwt)?$/.test(c.name) && c.value !== '')
