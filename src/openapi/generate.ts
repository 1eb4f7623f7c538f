import Fastify from 'fastify'
import fp from 'fastify-plugin'
import serviceApp, { serverOptions } from '../app.js'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'

/**
 * The OpenAPI document as the routes describe it, from an app built with the default
 * configuration, an in-memory database and an unreachable Stytch (nothing is served).
 */
export async function generateOpenApiYaml (): Promise<string> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    STYTCH_PROJECT_ID: 'project-test-openapi',
    STYTCH_SECRET: 'unused',
    STYTCH_API_URL: 'http://127.0.0.1:9/'
  })
  const database = await openDatabase({ dataDir: 'memory://' })
  const app = Fastify(serverOptions(config))
  await app.register(fp(serviceApp), { config, database })
  await app.ready()
  try {
    return app.swagger({ yaml: true })
  } finally {
    await app.close()
    await database.close()
  }
}
