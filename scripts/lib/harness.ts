// The app under test for the fuzz and the fault matrix (scripts/fuzz.ts, scripts/fault-matrix.ts and
import { challengeOf, newVerifier } from '../../src/auth/pkce.js'
// their CI versions in test/fuzz/): built in-process as test/helper.ts builds it — serverOptions and
// the app plugin of src/app.ts, an embedded emulator, an in-memory PGlite (or PostgreSQL with
// DATABASE_URL) — but without tap, so the scripts can use it too. Logins go through the API.
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import fp from 'fastify-plugin'
import serviceApp, { serverOptions } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, type Database, type Queryable } from '../../src/db/database.js'
import { migrate } from '../../src/db/migrations.js'
import { startEmulator, type OutboxMessage, type RunningEmulator } from '../../src/emulator/index.js'

/**
 * The settings of test/helper.ts's TEST_ENV, with every per-IP and per-credential budget raised:
 * all fuzz requests come from one address and reuse one session, and the point is to reach the
 * handlers, not the rate limiters (which have tests of their own).
 */
export const HARNESS_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  PUBLIC_URL: 'http://api.test:3000',
  CORS_ORIGINS: 'http://spa.test:5173',
  RATE_LIMIT_LOGIN_PER_IP: '1000000',
  RATE_LIMIT_LOGIN_PER_EMAIL: '1000000',
  RATE_LIMIT_AUTH_PER_IP: '1000000',
  RATE_LIMIT_AUTH_PER_CREDENTIAL: '1000000',
  SLOW_PATH_REJECTIONS_PER_IP: '1000000',
  COOKIE_HOST_PREFIX: 'false'
}

/** The allowed SPA origin of HARNESS_ENV (cookie-authenticated state changes must carry it). */
export const SPA_ORIGIN = 'http://spa.test:5173'

export interface LogSummary {
  /** Log lines per pino level (30 info, 40 warn, 50 error, 60 fatal). */
  levels: Record<number, number>
  /** The last error-level lines (at most 20), raw. */
  errors: string[]
}

export interface Harness {
  app: FastifyInstance
  emulator: RunningEmulator
  config: Config
  logs: LogSummary
  close: () => Promise<void>
}

export interface HarnessOptions {
  env?: Record<string, string>
  /** The database the app uses (default: a fresh in-memory PGlite, or none with DATABASE_URL: the app opens it). */
  database?: Database
}

/** A log stream that keeps only counts per level and the last error lines (a fuzz run logs a lot). */
function summarizingStream (summary: LogSummary): Writable {
  return new Writable({
    write (chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue
        const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0)
        summary.levels[level] = (summary.levels[level] ?? 0) + 1
        if (level >= 50) {
          summary.errors.push(line.slice(0, 2000))
          if (summary.errors.length > 20) summary.errors.shift()
        }
      }
      callback()
    }
  })
}

/** The SDK warns once per client about the emulator's (non-Stytch) base URL; that is expected here. */
async function quietSdkWarning<T> (fn: () => Promise<T>): Promise<T> {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (!args.some((a) => typeof a === 'string' && a.includes('custom'))) warn(...args)
  }
  try {
    return await fn()
  } finally {
    console.warn = warn
  }
}

/** Opens the database a harness app uses when none is given: in-memory PGlite, migrated. */
export async function openHarnessDatabase (): Promise<Database> {
  const database = await openDatabase(process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === ''
    ? { dataDir: 'memory://' }
    : { url: process.env.DATABASE_URL })
  await migrate(database)
  return database
}

/** Builds the app exactly as test/helper.ts does, pointed at an embedded emulator through the real SDK. */
export async function startHarness (options: HarnessOptions = {}): Promise<Harness> {
  const emulator = await startEmulator()
  const databaseUrl = process.env.DATABASE_URL
  const config = loadConfig({
    ...HARNESS_ENV,
    ...(databaseUrl === undefined || databaseUrl === '' ? {} : { DATABASE_URL: databaseUrl }),
    STYTCH_PROJECT_ID: emulator.projectId,
    STYTCH_SECRET: emulator.secret,
    STYTCH_API_URL: emulator.url,
    ...options.env
  })
  const logs: LogSummary = { levels: {}, errors: [] }
  const app = Fastify(serverOptions(config, summarizingStream(logs)))
  // Like test/helper.ts: with DATABASE_URL the app opens PostgreSQL itself; else one in-memory PGlite.
  const ownDatabase = options.database === undefined && config.DATABASE_URL === undefined ? await openHarnessDatabase() : undefined
  const database = options.database ?? ownDatabase
  await quietSdkWarning(async () => {
    await app.register(fp(serviceApp), { config, ...(database === undefined ? {} : { database }) })
    await app.ready()
  })
  await app.stytch.jwks.refresh()
  return {
    app,
    emulator,
    config,
    logs,
    close: async () => {
      await app.close()
      await ownDatabase?.close()
      await emulator.close()
    }
  }
}

/** A database the test can take away from under the app (closed: every query fails as a closed pool does) and give back. */
export interface SwitchableDatabase extends Database {
  /** Closes the current database: the app's queries fail from now on, as with a pool that is gone. */
  takeDown: () => Promise<void>
  /** Opens a fresh database (migrated; earlier rows are gone) and serves from it again. */
  bringBack: () => Promise<void>
  /** Closes whatever is open (end of run). */
  closeAll: () => Promise<void>
}

export async function switchableDatabase (): Promise<SwitchableDatabase> {
  let current = await openHarnessDatabase()
  let down = false
  return {
    get kind () { return current.kind },
    query: async <R = Record<string, unknown>>(sql: string, params?: unknown[]) => await current.query<R>(sql, params),
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => await current.transaction(fn),
    // The app closes its database on close only when it opened it; this one is the harness's.
    close: async () => {},
    takeDown: async () => {
      if (down) return
      down = true
      await current.close()
    },
    bringBack: async () => {
      if (!down) return
      current = await openHarnessDatabase()
      down = false
    },
    closeAll: async () => {
      if (!down) await current.close()
      down = true
    }
  }
}

// Emulator control routes (/emulator/*), over plain fetch as test/emulator/helper.ts does.

export async function emulatorControl<T = unknown> (emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, emulator.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  if (response.status >= 400) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return (text === '' ? undefined : JSON.parse(text)) as T
}

export async function latestMessage (emulator: RunningEmulator, email: string): Promise<OutboxMessage> {
  const { messages } = await emulatorControl<{ messages: OutboxMessage[] }>(emulator, 'GET', `/emulator/outbox?email=${encodeURIComponent(email)}`)
  const message = messages.at(-1)
  if (message === undefined) throw new Error(`no outbox message for ${email}`)
  return message
}

// Logins through the API: send the link, read it from the emulator's outbox, authenticate.

export interface BodyLogin {
  session_token: string
  session_jwt: string
  member: { member_id: string, organization_id: string }
  organization: { organization_id: string, organization_slug: string }
  session: { member_session_id: string, expires_at: string }
}

/** A fresh, unused magic-link token for `email` (sendLoginMagicLink, then the outbox). */
export async function magicLinkToken (app: FastifyInstance, emulator: RunningEmulator, email: string, organization = 'acme', challenge?: string, already?: 'invite'): Promise<string> {
  if (already === 'invite') return (await latestMessage(emulator, email)).token
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: email, organization, ...(challenge === undefined ? {} : { pkce_code_challenge: challenge }) } })
  if (sent.statusCode !== 202) throw new Error(`send failed: ${sent.statusCode} ${sent.body}`)
  return (await latestMessage(emulator, email)).token
}

/** Logs in through the API, mobile style (delivery: body): the session token and JWT. */
export async function loginForTokens (app: FastifyInstance, emulator: RunningEmulator, email: string, organization = 'acme'): Promise<BodyLogin> {
  // Mobile style: the app's own PKCE pair.
  const verifier = newVerifier()
  const token = await magicLinkToken(app, emulator, email, organization, challengeOf(verifier))
  const response = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token, delivery: 'body', pkce_code_verifier: verifier } })
  if (response.statusCode !== 200) throw new Error(`authenticate failed: ${response.statusCode} ${response.body}`)
  return response.json<BodyLogin>()
}

/** Logs in through the API as a browser does: the cookies it set (name → value). */
export async function loginForCookies (app: FastifyInstance, emulator: RunningEmulator, email: string, organization = 'acme'): Promise<{ cookies: Record<string, string>, response: LightMyRequestResponse }> {
  const verifier = newVerifier()
  const token = await magicLinkToken(app, emulator, email, organization, challengeOf(verifier))
  const response = await app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token, pkce_code_verifier: verifier } })
  if (response.statusCode !== 200) throw new Error(`authenticate failed: ${response.statusCode} ${response.body}`)
  return { cookies: Object.fromEntries(response.cookies.map((c) => [c.name, c.value])), response }
}

/** Logs in while the emulator's clock is `seconds` behind: the JWT it mints is already expired (stale). */
export async function loginStale (app: FastifyInstance, emulator: RunningEmulator, email: string, mode: 'cookies' | 'tokens', seconds = 600): Promise<{ cookies: Record<string, string>, tokens?: BodyLogin }> {
  await emulatorControl(emulator, 'POST', '/emulator/config', { clock_offset_seconds: -seconds })
  try {
    if (mode === 'cookies') return await loginForCookies(app, emulator, email)
    const tokens = await loginForTokens(app, emulator, email)
    return { cookies: {}, tokens }
  } finally {
    await emulatorControl(emulator, 'POST', '/emulator/config', { clock_offset_seconds: 0 })
  }
}

/** Logs out through the API (the session is revoked at Stytch and on the revocation list). */
export async function logout (app: FastifyInstance, jwt: string): Promise<void> {
  const response = await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { authorization: `Bearer ${jwt}` } })
  if (response.statusCode !== 204) throw new Error(`logout failed: ${response.statusCode} ${response.body}`)
}

/** Invites a member through the API (as `admin`); its member id. */
export async function inviteMember (app: FastifyInstance, adminJwt: string, organization: string, email: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: `/v1/organizations/${organization}/members`, headers: { authorization: `Bearer ${adminJwt}` }, payload: { email_address: email } })
  if (response.statusCode !== 201) throw new Error(`invite failed: ${response.statusCode} ${response.body}`)
  return response.json<{ member_id: string }>().member_id
}

/** The pino level names of a LogSummary, e.g. "warn 3, error 0". */
export function formatLogLevels (logs: LogSummary): string {
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
  const parts = Object.entries(logs.levels).map(([level, count]) => `${names[Number(level)] ?? level} ${count}`)
  return parts.length === 0 ? 'none' : parts.join(', ')
}
