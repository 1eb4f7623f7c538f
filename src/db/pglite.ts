import { mkdir } from 'node:fs/promises'
import { PGlite, type Results, type Transaction } from '@electric-sql/pglite'
import type { Database, Queryable } from './database.js'

type PgliteQueryable = Pick<Transaction, 'query'>

function queryableOf (target: PgliteQueryable): Queryable {
  return {
    async query<R> (sql: string, params?: unknown[]) {
      const result: Results<R> = await target.query<R>(sql, params)
      return { rows: result.rows, rowCount: result.rowCount ?? 0 }
    }
  }
}

/**
 * An embedded PGlite database behind the Database interface.
 * PGlite is one connection: its own transaction() holds a lock that plain queries also wait
 * for, so concurrent transactions run one after the other instead of interleaving.
 */
export async function openPglite (dataDir: string): Promise<Database> {
  // PGlite creates only the last directory of the path.
  if (!dataDir.includes('://')) await mkdir(dataDir, { recursive: true })
  const pglite = await PGlite.create(dataDir)

  return {
    kind: 'pglite',
    ...queryableOf(pglite),
    async transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction(async (tx) => fn(queryableOf(tx)))
    },
    async close () {
      await pglite.close()
    }
  }
}
