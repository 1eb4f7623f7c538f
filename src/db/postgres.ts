import pg from 'pg'
import type { Database, Queryable } from './database.js'

const POOL_SIZE = 10

type PgQueryable = Pick<pg.Pool | pg.PoolClient, 'query'>

function queryableOf (target: PgQueryable): Queryable {
  return {
    async query<R> (sql: string, params?: unknown[]) {
      const result = await target.query(sql, params)
      // rowCount is null for commands that report no count (e.g. CREATE); callers want a number.
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 }
    }
  }
}

/** A node-postgres pool behind the Database interface. */
export function openPostgres (url: string, onError: (err: Error) => void = () => {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Server-side limits, so a stuck query or a forgotten transaction cannot hold a
    // connection (and its locks) forever.
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: 'b2b-session-api'
  })
  // An idle client's error is emitted on the pool; unhandled, it would crash the process.
  pool.on('error', onError)

  return {
    kind: 'postgres',
    ...queryableOf(pool),
    async transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect()
      let broken: Error | undefined
      try {
        await client.query('BEGIN')
        const result = await fn(queryableOf(client))
        await client.query('COMMIT')
        return result
      } catch (err) {
        try {
          await client.query('ROLLBACK')
        } catch (rollbackError) {
          // The connection is in an unknown state: destroy it rather than return it to the pool.
          broken = rollbackError as Error
        }
        throw err
      } finally {
        client.release(broken)
      }
    },
    async close () {
      await pool.end()
    }
  }
}
