import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import serviceApp, { serverOptions } from './app.js'
import { ConfigError, loadConfig, magicLinkCallbackUrl, usesEmbeddedEmulator, type Config } from './config.js'
import { startEmulator, type RunningEmulator } from './emulator/index.js'
import { printDevLogin } from './dev-login.js'

/**
 * The process: configuration from the environment, the embedded Stytch emulator when no
 * credentials are set, listen, graceful shutdown. Everything else lives in the app plugin.
 */
async function main (): Promise<void> {
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example and the README's configuration table.\n`)
      process.exit(1)
    }
    throw err
  }

  let emulator: RunningEmulator | undefined
  if (usesEmbeddedEmulator(config)) {
    emulator = await startEmulator({ port: config.EMULATOR_PORT, defaultRedirectUrl: magicLinkCallbackUrl(config) })
    config = { ...config, STYTCH_PROJECT_ID: emulator.projectId, STYTCH_SECRET: emulator.secret, STYTCH_API_URL: emulator.url }
  }

  const app = Fastify(serverOptions(config))
  await app.register(fp(serviceApp), { config, embeddedEmulator: emulator !== undefined })

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
