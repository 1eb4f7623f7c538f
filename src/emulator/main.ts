// Standalone runner: `npm run emulator`. Serves the Stytch B2B API subset alone, so several API instances
// (or a SPA developer) can share one emulator.
import { DEFAULT_PROJECT_ID, DEFAULT_SECRET, seedOrganizations, startEmulator } from './index.js'

function portFromEnv (value: string | undefined): number {
  if (value === undefined || value === '') return 4010
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`EMULATOR_PORT must be an integer between 0 and 65535, got "${value}"`)
    process.exit(1)
  }
  return port
}

const emulator = await startEmulator({
  port: portFromEnv(process.env.EMULATOR_PORT),
  host: process.env.EMULATOR_HOST ?? '127.0.0.1',
  projectId: process.env.EMULATOR_PROJECT_ID ?? DEFAULT_PROJECT_ID,
  secret: process.env.EMULATOR_SECRET ?? DEFAULT_SECRET,
  logger: { level: process.env.EMULATOR_LOG_LEVEL ?? 'warn' }
})

const seed = seedOrganizations
  .map((org) => `  ${org.name} (slug ${org.slug}):\n` +
    org.members.map((member) => `    ${member.email.padEnd(20)} ${member.roles.join(', ')}`).join('\n'))
  .join('\n')

console.log(`Stytch B2B emulator listening on ${emulator.url}
  project id: ${emulator.projectId}
  secret:     ${emulator.secret}

Point the API at it with:
  STYTCH_API_URL=${emulator.url} STYTCH_PROJECT_ID=${emulator.projectId} STYTCH_SECRET=${emulator.secret}

Seed (log in with a magic link; links land in ${emulator.url}emulator/outbox):
${seed}

Control endpoints: GET /emulator/outbox[?email=], POST /emulator/reset, GET /emulator/calls,
POST /emulator/keys/rotate, POST /emulator/config, POST|DELETE /emulator/faults`)

let closing = false
async function shutdown (signal: string): Promise<void> {
  if (closing) return
  closing = true
  console.log(`${signal}: closing the emulator`)
  await emulator.close()
  process.exit(0)
}
process.once('SIGINT', () => { void shutdown('SIGINT') })
process.once('SIGTERM', () => { void shutdown('SIGTERM') })
