import { randomBytes } from 'node:crypto'
import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { DatabaseUnavailableError } from '../../src/db/errors.js'
import { migrate, migrations } from '../../src/db/migrations.js'
import { connectOrSkip, POSTGRES_URL as url } from './postgres-helper.js'
import { storageSuite } from './storage-suite.js'

const connected = await connectOrSkip('the PostgreSQL storage tests', url, { schema: true })
if (connected !== undefined) {
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
    t.same(tables.rows.map((row) => row.table_name), ['audit_events', 'documents', 'idempotency_keys', 'schema_migrations', 'session_devices'])
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

  t.test('a connection lost between two statements of a transaction rejects it; the process lives on', async (t) => {
    const errors: Error[] = []
    const victim = await openDatabase({ url, onError: (err) => errors.push(err) })
    t.teardown(() => victim.close())
    const outcome = victim.transaction(async (tx) => {
      const { rows: [row] } = await tx.query<{ pid: number }>('select pg_backend_pid() as pid')
      // The client is checked out and idle here: the pool does not listen on it. Without a
      // listener of ours, the 57P01 the server sends now would be an uncaught 'error' event.
      await db.query('select pg_terminate_backend($1)', [row?.pid])
      for (let i = 0; errors.length === 0 && i < 500; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      await tx.query('select 1')
    })
    await t.rejects(outcome, DatabaseUnavailableError)
    t.match(errors[0], { code: '57P01' }, 'reported through onError')
    t.same((await victim.query('select 1 as one')).rows, [{ one: 1 }], 'the pool recovers')
    t.same(await victim.transaction(async (tx) => (await tx.query('select 2 as two')).rows), [{ two: 2 }], 'transactions too')
  })

  t.test('errors in the statement itself are not availability errors', async (t) => {
    await t.rejects(db.query('selec 1'), { code: '42601' })
    await t.rejects(db.query('select 1 / 0'), { code: '22012' })
    const err = await db.query('selec 1').catch((e: unknown) => e)
    t.notOk(err instanceof DatabaseUnavailableError)
  })

  // Other test runs share this database: migrate, never drop, and let the suite use fresh organizations.
  await migrate(db)
  storageSuite(t, db)
}
