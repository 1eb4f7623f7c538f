import { mkdir } from 'node:fs/promises'
import { PGlite, type Results, type Transaction } from '@electric-sql/pglite'
import type { Database, Queryable } from './database.js'
import { toStorageError } from './errors.js'

type PgliteQueryable = Pick<Transaction, 'query'>

function queryableOf (target: PgliteQueryable): Queryable {
  return {
    async query<R> (sql: string, params?: unknown[]) {
      let result: Results<R>
      try {
        result = await target.query<R>(sql, params)
      } catch (err) {
        throw toStorageError(err)
      }
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
      try {
        return await pglite.transaction(async (tx) => await fn(queryableOf(tx)))
      } catch (err) {
        throw toStorageError(err)
      }
    },
    async close () {
      await pglite.close()
    }
  }
}
