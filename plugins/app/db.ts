import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { observedDatabase, openDatabase, type Database } from '../../src/db/database.js'
import { createDevicesRepository } from '../../src/db/devices.js'
import { createDocumentsRepository } from '../../src/db/documents.js'
import { migrate } from '../../src/db/migrations.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    documents: ReturnType<typeof createDocumentsRepository>
    /** Devices of sessions (session_devices); written and pruned by the session service. */
    devices: ReturnType<typeof createDevicesRepository>
  }
}

/**
 * The app's own data: PostgreSQL when DATABASE_URL is set, else embedded PGlite (same SQL) kept in
 * DATA_DIR so it survives restarts. Migrations run before the app serves anything.
 */
export default fp(async function db (fastify: FastifyInstance, opts: { database?: Database }) {
  const { config } = fastify
  const opened = opts.database ?? await openDatabase(config.DATABASE_URL === undefined
    ? { dataDir: join(config.DATA_DIR, 'pglite') }
    : { url: config.DATABASE_URL, onError: (err) => fastify.log.error({ message: err.message }, 'database connection failed') })
  await migrate(opened)
  // Every statement through the one observer (metrics, spans): plugins/external/metrics.ts.
  const database = observedDatabase(opened, fastify.obs.db)
  fastify.decorate('db', database)
  fastify.decorate('documents', createDocumentsRepository(database))
  fastify.decorate('devices', createDevicesRepository(database))
  fastify.addHook('onClose', async () => {
    if (opts.database === undefined) await opened.close()
  })
}, { name: 'db' })
