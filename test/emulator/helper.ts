// Shared harness for the emulator conformance suite: every test drives the real `stytch` SDK over HTTP
// against an emulator it owns (STYLE P12), and talks to the /emulator/* control routes with plain fetch.
import { type Test } from 'tap'
import { B2BClient, ClientError, RequestError, StytchError, type B2BMagicLinksAuthenticateRequest, type B2BMagicLinksAuthenticateResponse } from 'stytch'
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js'

export interface Harness {
  emu: RunningEmulator
  client: B2BClient
}

export interface OutboxMessage {
  email_address: string
  type: 'login' | 'signup' | 'invite'
  organization_id: string
  organization_slug: string
  member_id: string
  link: string
  token: string
  redirect_url: string
  sent_at: string
  expires_at: string
  pkce_code_challenge: string | null
}

export interface CallCounts {
  calls: Record<string, number>
  total: number
}

export const SESSIONS_AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate'
export const JWKS_ROUTE = 'GET /v1/b2b/sessions/jwks/:project_id'

/** Starts an emulator owned by `t` (closed on teardown) and a real SDK client pointed at it. */
export async function startHarness (t: Test, options?: EmulatorOptions): Promise<Harness> {
  const emu = await startEmulator(options)
  t.teardown(() => emu.close())
  return { emu, client: newClient(t, emu) }
}

/**
 * A fresh SDK client. Fresh clients matter: each one has its own jose JWKS cache and RBAC policy cache,
 * so tests that rotate keys or change policies must build a new one (reference §7.4).
 */
export function newClient (t: Test, emu: RunningEmulator, secret = emu.secret): B2BClient {
  // The SDK warns once per construction when `env` is not one of Stytch's own URLs.
  const warn = t.capture(console, 'warn')
  try {
    return new B2BClient({ project_id: emu.projectId, secret, env: emu.url })
  } finally {
    warn.restore()
  }
}

/** Calls a control route (or any route) with plain fetch; JSON in, parsed JSON out. */
export async function control<T = any> (emu: RunningEmulator, method: string, path: string, body?: unknown): Promise<{ status: number, body: T }> {
  const res = await fetch(new URL(path, emu.url), {
    method,
    // A JSON content type with no body is itself a 400 in Fastify, so only send it with a body.
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T }
}

export async function outbox (emu: RunningEmulator, email?: string): Promise<OutboxMessage[]> {
  const query = email === undefined ? '' : `?email=${encodeURIComponent(email)}`
  const res = await control<{ messages: OutboxMessage[] }>(emu, 'GET', `/emulator/outbox${query}`)
  return res.body.messages
}

/** The newest message sent to `email` (the outbox is ordered newest last). */
export async function lastMessage (emu: RunningEmulator, email: string): Promise<OutboxMessage> {
  const messages = await outbox(emu, email)
  return must(messages.at(-1), `an outbox message for ${email}`)
}

export async function readCalls (emu: RunningEmulator): Promise<CallCounts> {
  return (await control<CallCounts>(emu, 'GET', '/emulator/calls')).body
}

export async function resetCalls (emu: RunningEmulator): Promise<void> {
  await control(emu, 'POST', '/emulator/calls/reset')
}

export function callCount (counts: CallCounts, key: string): number {
  return counts.calls[key] ?? 0
}

/** Moves the emulator's clock (token, session and JWT times) by `seconds` from real time. */
export async function setClockOffset (emu: RunningEmulator, seconds: number): Promise<void> {
  const res = await control(emu, 'POST', '/emulator/config', { clock_offset_seconds: seconds })
  if (res.status !== 200) throw new Error(`POST /emulator/config answered ${res.status}`)
}

export async function orgId (h: Harness, slug: string): Promise<string> {
  return (await h.client.organizations.get({ organization_id: slug })).organization.organization_id
}

export async function memberId (h: Harness, organizationId: string, email: string): Promise<string> {
  return (await h.client.organizations.members.get({ organization_id: organizationId, email_address: email })).member_id
}

/** Logs `email` in through login_or_signup, the outbox and magic link authenticate; returns the full auth response. */
export async function login (
  h: Harness,
  email: string,
  organization = 'acme',
  extra: Omit<B2BMagicLinksAuthenticateRequest, 'magic_links_token'> = {}
): Promise<B2BMagicLinksAuthenticateResponse> {
  await h.client.magicLinks.email.loginOrSignup({ organization_id: organization, email_address: email })
  const message = await lastMessage(h.emu, email)
  return h.client.magicLinks.authenticate({ magic_links_token: message.token, ...extra })
}

export interface ExpectedStytchError {
  status_code: number | number[]
  error_type: string | RegExp
  error_message?: string | RegExp
}

/**
 * Awaits `promise` and asserts it failed with a StytchError carrying Stytch's error body
 * (status_code, request_id, error_type, error_message, error_url; reference §2, §10).
 */
export async function rejectsStytch (t: Test, promise: Promise<unknown>, expected: ExpectedStytchError, what = ''): Promise<StytchError | undefined> {
  const label = `${what === '' ? '' : what + ': '}${String(expected.error_type)}`
  let err: unknown
  try {
    await promise
    t.fail(`${label}: expected a StytchError, the call succeeded`)
    return undefined
  } catch (caught) {
    err = caught
  }
  if (!(err instanceof StytchError)) {
    t.fail(`${label}: expected a StytchError, got ${String(err)}`)
    return undefined
  }
  const statuses = Array.isArray(expected.status_code) ? expected.status_code : [expected.status_code]
  t.ok(statuses.includes(err.status_code), `${label}: status_code ${err.status_code} is one of ${statuses.join('/')}`)
  t.match({
    error_type: err.error_type,
    error_message: err.error_message,
    request_id: err.request_id,
    error_url: err.error_url
  }, {
    error_type: expected.error_type,
    error_message: expected.error_message ?? /\S/,
    request_id: /\S/,
    error_url: /^https:\/\//
  }, `${label}: Stytch error body`)
  return err
}

/** Awaits `promise` and asserts the SDK's local JWT path failed with ClientError `code` (reference §1.3, §7.2). */
export async function rejectsClient (t: Test, promise: Promise<unknown>, code: string, what = ''): Promise<void> {
  try {
    await promise
    t.fail(`${what}: expected ClientError ${code}, the call succeeded`)
  } catch (err) {
    t.ok(err instanceof ClientError, `${what}: a ClientError (got ${String(err)})`)
    t.equal((err as ClientError).code, code, `${what}: ClientError code`)
  }
}

/**
 * Awaits `promise` and asserts the SDK failed with RequestError: a network failure or a non-JSON body (reference §1.3).
 * (tap's t.rejects/t.match do not treat the SDK's error classes as instanceof patterns, hence this helper.)
 */
export async function rejectsRequest (t: Test, promise: Promise<unknown>, message: RegExp, what = ''): Promise<void> {
  try {
    await promise
    t.fail(`${what}: expected a RequestError, the call succeeded`)
  } catch (err) {
    t.ok(err instanceof RequestError, `${what}: a RequestError (got ${String(err)})`)
    t.match((err as Error).message, message, `${what}: message`)
  }
}

export function must<T> (value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing ${what}`)
  return value
}

/** Milliseconds between an RFC 3339 timestamp and `reference` (compare as dates, reference §12.16). */
export function msFrom (timestamp: string, reference: number): number {
  return Date.parse(timestamp) - reference
}

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/
