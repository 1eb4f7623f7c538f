import { randomBytes } from 'node:crypto'
import t from 'tap'
import { openDatabase, type Database } from '../../src/db/database.js'

/** The machine's PostgreSQL (trust auth, database `test`), or TEST_DATABASE_URL. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** url with one more query parameter (e.g. application_name, which node-postgres honours over its config). */
export function withParameter (url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`
}

/** url whose connections work in `schema` (created by the caller). */
export const inSchema = (url: string, schema: string): string => withParameter(url, 'options', `-c search_path=${schema}`)

/**
 * The database when the server answers, in a schema of its own (`schema: true`): the machine's
 * `test` database is shared with other runs (other checkouts, earlier sessions) whose migrations
 * may differ, so a test that asserts what is applied must not look at the public schema. Otherwise, in CI (CI set) the file fails: both backends
 * must run there; elsewhere it is skipped with a loud banner. Returns undefined in both cases.
 */
export async function connectOrSkip (what: string, url = POSTGRES_URL, { schema = false }: { schema?: boolean } = {}): Promise<Database | undefined> {
  const db = await openDatabase({ url })
  try {
    await db.query('select 1')
    if (!schema) return db
    const name = `test_${randomBytes(6).toString('hex')}`
    await db.query(`create schema ${name}`)
    await db.close()
    const own = await openDatabase({ url: inSchema(url, name) })
    // Closing it drops its schema first.
    return { ...own, close: async () => { await own.query(`drop schema ${name} cascade`).finally(() => own.close()) } }
  } catch (err) {
    await db.close()
    const reason = `PostgreSQL unreachable at ${url}: ${(err as Error).message}`
    if (process.env.CI !== undefined) {
      t.fail(reason)
    } else {
      console.error(`\n${'!'.repeat(72)}\n!! SKIPPING ${what}. ${reason}\n${'!'.repeat(72)}\n`)
      t.test(what, { skip: reason }, async () => {})
    }
    return undefined
  }
}
