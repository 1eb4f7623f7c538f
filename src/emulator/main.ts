// Standalone runner: `npm run emulator [-- --data-dir DIR] [-- --redirect-url URL]`. Serves the Stytch B2B
// API subset alone, so several API instances (or a SPA developer) can share one emulator.
import { parseArgs } from 'node:util'
import { DEFAULT_PROJECT_ID, DEFAULT_SECRET, EmulatorStateFileError, seedOrganizations, startEmulator, STATE_FILE } from './index.js'

const usage = `Usage: npm run emulator -- [--data-dir DIR] [--redirect-url URL]

  --data-dir DIR      keep the state (organizations, members, sessions, links, outbox, signing keys)
                      in DIR/${STATE_FILE}: a restart keeps ids, sessions and links valid.
                      Default: in memory, gone when the emulator stops.
  --redirect-url URL  where emailed links point when the caller gives no redirect URL (stands in for
                      the dashboard's default redirect URL).
                      Default: http://127.0.0.1:3000/v1/auth/magic-links/callback
  -h, --help          this text

Environment: EMULATOR_PORT (4010), EMULATOR_HOST (127.0.0.1), EMULATOR_PROJECT_ID, EMULATOR_SECRET,
EMULATOR_LOG_LEVEL (warn).`

function fail (message: string): never {
  console.error(`${message}\n\n${usage}`)
  process.exit(1)
}

function portFromEnv (value: string | undefined): number {
  if (value === undefined || value === '') return 4010
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`EMULATOR_PORT must be an integer between 0 and 65535, got "${value}"`)
  return port
}

function redirectUrl (value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) fail(`--redirect-url must be an absolute http(s) URL, got "${value}"`)
  return value
}

let args: { 'data-dir'?: string | undefined, 'redirect-url'?: string | undefined, help?: boolean | undefined }
try {
  args = parseArgs({
    options: { 'data-dir': { type: 'string' }, 'redirect-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } }
  }).values
} catch (err) {
  fail((err as Error).message)
}
if (args.help === true) {
  console.log(usage)
  process.exit(0)
}
if (args['data-dir'] === '') fail('--data-dir needs a directory')

let emulator: Awaited<ReturnType<typeof startEmulator>>
try {
  emulator = await startEmulator({
    port: portFromEnv(process.env.EMULATOR_PORT),
    host: process.env.EMULATOR_HOST ?? '127.0.0.1',
    projectId: process.env.EMULATOR_PROJECT_ID ?? DEFAULT_PROJECT_ID,
    secret: process.env.EMULATOR_SECRET ?? DEFAULT_SECRET,
    dataDir: args['data-dir'],
    defaultRedirectUrl: redirectUrl(args['redirect-url']),
    logger: { level: process.env.EMULATOR_LOG_LEVEL ?? 'warn' }
  })
} catch (err) {
  if (err instanceof EmulatorStateFileError) fail(err.message)
  throw err
}

const seed = seedOrganizations
  .map((org) => `  ${org.name} (slug ${org.slug}):\n` +
    org.members.map((member) => `    ${member.email.padEnd(20)} ${member.roles.join(', ')}`).join('\n'))
  .join('\n')

const stateLine = emulator.stateFile === undefined
  ? 'in memory (use --data-dir DIR to keep it across restarts)'
  : `${emulator.stateFile} (${emulator.restored ? 'restored' : 'new'})`

console.log(`Stytch B2B emulator listening on ${emulator.url}
  project id:   ${emulator.projectId}
  secret:       ${emulator.secret}
  state:        ${stateLine}
  redirect URL: ${emulator.state.options.defaultRedirectUrl} (for links sent without one)

Point the API at it with:
  STYTCH_API_URL=${emulator.url} STYTCH_PROJECT_ID=${emulator.projectId} STYTCH_SECRET=${emulator.secret}

Seed (log in with a magic link; links land in ${emulator.url}emulator/outbox):
${seed}

Control endpoints: GET /emulator/outbox[?email=], POST /emulator/reset, GET /emulator/calls,
POST /emulator/keys/rotate, POST /emulator/config, POST|DELETE /emulator/faults
Options: npm run emulator -- --help`)

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
