import { randomBytes } from 'node:crypto'
import t from 'tap'
import { openDatabase, type Database } from '../../src/db/database.js'
import { migrate, migrations } from '../../src/db/migrations.js'
import { storageSuite } from './storage-suite.js'

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** The database when the server answers, else the reason it does not. */
async function connect (): Promise<Database | Error> {
  const db = await openDatabase({ url })
  try {
    await db.query('select 1')
    return db
  } catch (err) {
    await db.close()
    return err as Error
  }
}

const connected = await connect()
if (connected instanceof Error) {
  const reason = `PostgreSQL unreachable at ${url}: ${connected.message}`
  if (process.env.CI !== undefined) {
    // In CI both backends must run: a missing server is a failure, not a skip.
    t.fail(reason)
  } else {
    console.error(`\n${'!'.repeat(72)}\n!! SKIPPING the PostgreSQL storage tests. ${reason}\n${'!'.repeat(72)}\n`)
    t.test('PostgreSQL storage', { skip: reason }, async () => {})
  }
} else {
  const db = connected
  t.teardown(() => db.close())
  t.equal(db.kind, 'postgres')

  t.test('3 connections migrating an empty schema at once apply each migration once', async (t) => {
    // A throw-away schema gives the race a database with nothing applied yet.
    const schema = `migrate_race_${randomBytes(6).toString('hex')}`
    await db.query(`create schema ${schema}`)
    t.teardown(() => db.query(`drop schema ${schema} cascade`))
    const schemaUrl = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
    const racers = await Promise.all([1, 2, 3].map(() => openDatabase({ url: schemaUrl })))
    t.teardown(() => Promise.all(racers.map((racer) => racer.close())))

    await Promise.all(racers.map((racer) => migrate(racer)))

    const applied = await db.query<{ id: string }>(`select id from ${schema}.schema_migrations order by id`)
    t.same(applied.rows.map((row) => row.id), migrations.map((migration) => migration.id))
    const tables = await db.query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by table_name', [schema])
    t.same(tables.rows.map((row) => row.table_name), ['documents', 'idempotency_keys', 'schema_migrations'])
  })

  t.test('a pooled connection killed by the server is reported, not fatal', async (t) => {
    const errors: Error[] = []
    const victim = await openDatabase({ url, onError: (err) => errors.push(err) })
    t.teardown(() => victim.close())
    const { rows: [row] } = await victim.query<{ pid: number }>('select pg_backend_pid() as pid')
    await db.query('select pg_terminate_backend($1)', [row?.pid])
    while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    t.match(errors[0]?.message, /terminat/)
    t.same((await victim.query('select 1 as one')).rows, [{ one: 1 }], 'the pool reconnects')
  })

  // Other test runs share this database: migrate, never drop, and let the suite use fresh organizations.
  await migrate(db)
  storageSuite(t, db)
}
