import { createHash, randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import fp from 'fastify-plugin'
import type { Test } from 'tap'
import tap from 'tap'
import serviceApp, { serverOptions } from '../src/app.js'
import { openDatabase, type Database } from '../src/db/database.js'
import { migrate } from '../src/db/migrations.js'
import { loadConfig, type Config } from '../src/config.js'
import type { RunningEmulator } from '../src/emulator/index.js'
import { responseRecorder } from './contract/response-recorder.js'
import { latestToken, startTestEmulator } from './emulator/helper.js'

// The emulator and its control routes have one home, ./emulator/helper.ts; app tests get the
// shortcuts they use from here too.
export { emulatorCalls, emulatorGet, emulatorPost, latestToken, SESSIONS_AUTHENTICATE as AUTHENTICATE, startTestEmulator } from './emulator/helper.js'

/** Settings every test app starts from; tests override what they exercise. */
export const TEST_ENV: Record<string, string> = {
  LOG_LEVEL: 'info',
  PUBLIC_URL: 'http://api.test:3000',
  CORS_ORIGINS: 'http://spa.test:5173',
  RATE_LIMIT_LOGIN_PER_IP: '1000',
  RATE_LIMIT_LOGIN_PER_EMAIL: '1000',
  // Every test request comes from one address: the per-IP guards are tested on their own.
  RATE_LIMIT_AUTH_PER_IP: '100000',
  RATE_LIMIT_AUTH_PER_CREDENTIAL: '1000',
  SLOW_PATH_REJECTIONS_PER_IP: '100000',
  // Plain cookie names keep the tests readable; the __Host- default has its own test.
  COOKIE_HOST_PREFIX: 'false'
}

let shared: Promise<Database> | undefined

/**
 * One in-memory PGlite per test file (it takes seconds to start). Tests never collide in it:
 * documents belong to organizations, and every emulator mints fresh organization ids.
 */
export async function sharedDatabase (): Promise<Database> {
  shared ??= openDatabase({ dataDir: 'memory://' }).then(async (db) => {
    await migrate(db)
    tap.teardown(async () => { await db.close() })
    return db
  })
  return await shared
}

export interface TestApp {
  app: FastifyInstance
  emulator: RunningEmulator
  config: Config
  /** Every log line the app wrote, as parsed JSON. */
  logs: Array<Record<string, unknown>>
  /** Every log line the app wrote, raw. */
  rawLogs: string[]
}

/**
 * Builds the app exactly as server.ts does (same server options), pointed at an emulator through
 * the real SDK, with its log stream captured.
 */
export interface BuildOptions {
  env?: Record<string, string>
  emulator?: RunningEmulator
  /** The database to use; default: the file's shared PGlite, unless env.DATABASE_URL is set. */
  database?: Database
  /** Wait for the signing keys before returning (default true). */
  loadKeys?: boolean
}

export async function buildApp (t: Test, options: BuildOptions = {}): Promise<TestApp> {
  const emulator = options.emulator ?? await startTestEmulator(t)
  const config = loadConfig({
    ...TEST_ENV,
    STYTCH_PROJECT_ID: emulator.projectId,
    STYTCH_SECRET: emulator.secret,
    STYTCH_API_URL: emulator.url,
    ...options.env
  })
  const rawLogs: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      rawLogs.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0))
      callback()
    }
  })
  // The SDK warns once per client about the custom (emulator) base URL.
  t.capture(console, 'warn')
  const app = Fastify(serverOptions(config, stream))
  const database = options.database ?? (config.DATABASE_URL === undefined ? await sharedDatabase() : undefined)
  // Contract tests: every response is validated against openapi.yaml when the test ends.
  await app.register(responseRecorder(t))
  await app.register(fp(serviceApp), { config, ...(database === undefined ? {} : { database }) })
  await app.ready()
  if (options.loadKeys !== false) await app.stytch.jwks.refresh()
  t.teardown(() => app.close())
  return {
    app,
    emulator,
    config,
    rawLogs,
    get logs () { return rawLogs.map((l) => JSON.parse(l) as Record<string, unknown>) }
  }
}

export interface BodyLogin { session_token: string, session_jwt: string, member: { member_id: string }, session: { member_session_id: string, expires_at: string } }

/** A PKCE pair, as a mobile app makes one: a random verifier and its S256 challenge. */
export function pkcePair (): { verifier: string, challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** The PKCE verifier cookie a response set (any name prefix), if any. */
export function verifierCookie (response: LightMyRequestResponse): { name: string, value: string } | undefined {
  const cookie = response.cookies.find((c) => c.name.endsWith('stytch_pkce_verifier') && c.value !== '')
  return cookie === undefined ? undefined : { name: cookie.name, value: cookie.value }
}

/** The cookies a response set, as a browser would then send them (cleared ones left out). */
export const cookiesOf = (response: LightMyRequestResponse): Record<string, string> =>
  Object.fromEntries(response.cookies.filter((c) => c.value !== '').map((c) => [c.name, c.value]))

/** Logs in through the API as a mobile app does (send link with its PKCE challenge → outbox → authenticate with the verifier) and returns the tokens. */
export async function loginForTokens (app: FastifyInstance, emulator: RunningEmulator, email: string, organization = email.split('@')[1]?.split('.')[0] ?? 'acme'): Promise<BodyLogin> {
  const { verifier, challenge } = pkcePair()
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization, pkce_code_challenge: challenge } })
  if (sent.statusCode !== 202) throw new Error(`send failed: ${sent.statusCode} ${sent.body}`)
  const token = await latestToken(emulator, email)
  const response = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token, delivery: 'body', pkce_code_verifier: verifier } })
  if (response.statusCode !== 200) throw new Error(`authenticate failed: ${response.statusCode} ${response.body}`)
  return response.json<BodyLogin>()
}

/**
 * Logs in through the API as a browser app would (send link: the API sets the PKCE verifier cookie;
 * authenticate with that cookie) and returns the session cookies it set.
 */
export async function loginForCookies (app: FastifyInstance, emulator: RunningEmulator, email: string, organization = email.split('@')[1]?.split('.')[0] ?? 'acme'): Promise<{ response: LightMyRequestResponse, cookies: Record<string, string> }> {
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization } })
  const verifier = verifierCookie(sent)
  if (verifier === undefined) throw new Error(`send set no verifier cookie: ${sent.statusCode} ${sent.body}`)
  const token = await latestToken(emulator, email)
  const response = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token }, cookies: { [verifier.name]: verifier.value } })
  if (response.statusCode !== 200) throw new Error(`authenticate failed: ${response.statusCode} ${response.body}`)
  return { response, cookies: cookiesOf(response) }
}
