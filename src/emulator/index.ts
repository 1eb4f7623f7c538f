import { type FastifyServerOptions } from 'fastify'
import { buildEmulatorApp } from './app.js'
import { generateSigningKey } from './keys.js'
import { buildProjectPolicy } from './policy.js'
import { applySeed } from './seed.js'
import { createState, type EmulatorState } from './state.js'

export type { EmulatorState, OutboxMessage, Fault, EmulatorConfig } from './state.js'
export { seedOrganizations } from './seed.js'

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
  if (resolved.seed) applySeed(state)
  const app = await buildEmulatorApp(state, { logger: options.logger })
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
    close: async () => { await app.close() }
  }
}
