import t from 'tap'
import { openDatabase, type Database } from '../../src/db/database.js'

/** The machine's PostgreSQL (trust auth, database `test`), or TEST_DATABASE_URL. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** url with one more query parameter (e.g. application_name, which node-postgres honours over its config). */
export function withParameter (url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`
}

/**
 * The database when the server answers. Otherwise, in CI (CI set) the file fails: both backends
 * must run there; elsewhere it is skipped with a loud banner. Returns undefined in both cases.
 */
export async function connectOrSkip (what: string, url = POSTGRES_URL): Promise<Database | undefined> {
  const db = await openDatabase({ url })
  try {
    await db.query('select 1')
    return db
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
