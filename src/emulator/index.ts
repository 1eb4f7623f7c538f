import { type FastifyServerOptions } from 'fastify'
import { buildEmulatorApp } from './app.js'
import { generateSigningKey } from './keys.js'
import { buildProjectPolicy } from './policy.js'
import { createPersister, loadStateFile, type StatePersister } from './persist.js'
import { applySeed } from './seed.js'
import { createState, type EmulatorState } from './state.js'

export type { EmulatorState, OutboxMessage, Fault, EmulatorConfig } from './state.js'
export { seedOrganizations } from './seed.js'
export { EmulatorStateFileError, STATE_FILE } from './persist.js'

export const DEFAULT_PROJECT_ID = 'project-test-00000000-0000-4000-8000-000000000000'
export const DEFAULT_SECRET = 'secret-test-emulator-local-only-0000000000'

export interface EmulatorOptions {
  projectId?: string
  secret?: string
  host?: string
  /** 0 (default) picks an ephemeral port. */
  port?: number
  /** Load the dev seed (default true); also re-applied by POST /emulator/reset. */
  seed?: boolean
  /** Stands in for the dashboard's redirect URLs when a request gives none. */
  defaultRedirectUrl?: string
  jwtLifetimeSeconds?: number
  loginLinkMinutes?: number
  inviteLinkMinutes?: number
  /**
   * Persist the state (organizations, members, sessions, magic links, outbox, signing keys, clock config)
   * in `DIR/emulator.json`, loaded at start and saved after changes and on close. Unset (default): in memory.
   */
  dataDir?: string
  /** Fastify logger option; off by default. */
  logger?: FastifyServerOptions['logger']
}

export interface RunningEmulator {
  /** e.g. 'http://127.0.0.1:41234/' — pass as `env` to the SDK's B2BClient. */
  url: string
  projectId: string
  secret: string
  /** In-process access for tests (read-only use preferred; the HTTP control endpoints are the API). */
  state: EmulatorState
  /** The state file when persisting (`dataDir` given), else undefined. */
  stateFile: string | undefined
  /** True when the state was loaded from an existing state file (the seed was not applied again). */
  restored: boolean
  /** Writes the state file now (no-op in memory); also done on close. */
  flush: () => Promise<void>
  close: () => Promise<void>
}

/** Starts a local, stateful Stytch B2B emulator on its own Fastify server. */
export async function startEmulator (options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = {
    projectId: options.projectId ?? DEFAULT_PROJECT_ID,
    secret: options.secret ?? DEFAULT_SECRET,
    seed: options.seed ?? true,
    defaultRedirectUrl: options.defaultRedirectUrl ?? 'http://127.0.0.1:3000/v1/auth/magic-links/callback',
    jwtLifetimeSeconds: options.jwtLifetimeSeconds ?? 300,
    loginLinkMinutes: options.loginLinkMinutes ?? 60,
    inviteLinkMinutes: options.inviteLinkMinutes ?? 10080
  }
  const state = createState(resolved, buildProjectPolicy(), await generateSigningKey())
  let persister: StatePersister | undefined
  let restored = false
  if (options.dataDir !== undefined) {
    persister = createPersister(state, options.dataDir)
    restored = await loadStateFile(state, persister.path)
  }
  // The seed goes into a fresh state only: a restored one already has it (or what was made of it since).
  if (!restored && resolved.seed) applySeed(state)
  if (!restored) await persister?.flush()
  const app = await buildEmulatorApp(state, { logger: options.logger, onChange: persister?.schedule })
  const host = options.host ?? '127.0.0.1'
  await app.listen({ host, port: options.port ?? 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port ?? 0
  const urlHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${urlHost}:${port}/`,
    projectId: resolved.projectId,
    secret: resolved.secret,
    state,
    stateFile: persister?.path,
    restored,
    flush: async () => { await persister?.flush() },
    close: async () => {
      await app.close()
      await persister?.flush()
    }
  }
}
