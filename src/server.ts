import { join } from 'node:path'
import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import serviceApp, { serverOptions } from './app.js'
import { ConfigError, loadConfig, magicLinkCallbackUrl, usesEmbeddedEmulator, type Config } from './config.js'
import { EmulatorStateFileError, startEmulator, type RunningEmulator } from './emulator/index.js'
import { printDevLogin } from './dev-login.js'
import { loadEnvFile } from './env-file.js'
import { logDestination } from './log-destination.js'

/**
 * The process: configuration from the environment, the embedded Stytch emulator when no
 * credentials are set, listen, graceful shutdown. Everything else lives in the app plugin.
 */
async function main (): Promise<void> {
  let config: Config
  try {
    // `.env` in the working directory, if any; the real environment wins over it.
    config = loadConfig(process.env, loadEnvFile('.env'))
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example and the README's configuration table.\n`)
      process.exit(1)
    }
    throw err
  }

  let emulator: RunningEmulator | undefined
  if (usesEmbeddedEmulator(config)) {
    // The embedded default remembers: its state lives in DATA_DIR beside the embedded database, so a
    // restart keeps organization ids, sessions and links (and the documents stored for them).
    try {
      emulator = await startEmulator({ port: config.EMULATOR_PORT, defaultRedirectUrl: magicLinkCallbackUrl(config), dataDir: config.DATA_DIR })
    } catch (err) {
      if (err instanceof EmulatorStateFileError) {
        process.stderr.write(`${err.message}\n`)
        process.exit(1)
      }
      throw err
    }
    config = {
      ...config,
      STYTCH_PROJECT_ID: emulator.projectId,
      STYTCH_SECRET: emulator.secret,
      STYTCH_API_URL: emulator.url,
      // A local playground: anyone who can read the emulator's outbox may create organizations.
      DISCOVERY_CREATE_ORGANIZATIONS: config.DISCOVERY_CREATE_ORGANIZATIONS ?? true
    }
  }

  // Readable lines on a terminal, JSON lines anywhere else (src/log-destination.ts).
  const app = Fastify(serverOptions(config, logDestination()))
  await app.register(fp(serviceApp), {
    config,
    embeddedEmulator: emulator !== undefined,
    ...(emulator === undefined ? {} : { revocationsFile: join(config.DATA_DIR, 'revocations.json') })
  })

  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    await app.close()
    await emulator?.close()
  })

  await app.listen({ host: config.HOST, port: config.PORT })
  if (config.DOCS_ENABLED) app.log.info(`Swagger UI: ${config.PUBLIC_URL}/docs`)
  if (emulator !== undefined) await printDevLogin(app, config, emulator)
}

await main()
