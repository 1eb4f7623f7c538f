import pg from 'pg'
import type { Database, Queryable } from './database.js'
import { toStorageError } from './errors.js'

const POOL_SIZE = 10

type PgQueryable = Pick<pg.Pool | pg.PoolClient, 'query'>

function queryableOf (target: PgQueryable): Queryable {
  return {
    async query<R> (sql: string, params?: unknown[], name?: string) {
      let result
      try {
        result = await (name === undefined ? target.query(sql, params) : target.query({ name, text: sql, values: params }))
      } catch (err) {
        throw toStorageError(err)
      }
      // rowCount is null for commands that report no count (e.g. CREATE); callers want a number.
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 }
    }
  }
}

/**
 * A node-postgres pool behind the Database interface. A lost connection (server restart,
 * failover, pg_terminate_backend) never crashes the process: every client, pooled or checked
 * out, has an `error` listener, the broken client is dropped from the pool, and the call that
 * used it fails with DatabaseUnavailableError (as does any other availability failure).
 */
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
    // The default; an application_name in the URL's query takes precedence (e.g. to tell instances apart).
    application_name: 'b2b-session-api'
  })
  // Every client listens for errors all its life, idle or checked out (the pool's own listener is
  // attached to idle clients only): an 'error' event without a listener would crash the process.
  // The first error of a connection is reported; the pool drops the broken client by itself.
  pool.on('connect', (client) => {
    let reported = false
    client.on('error', (err) => {
      if (reported) return
      reported = true
      onError(err)
    })
  })
  // An idle client's error is emitted on the pool too (and reported above already).
  pool.on('error', () => {})

  return {
    kind: 'postgres',
    ...queryableOf(pool),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: POOL_SIZE }),
    async transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (err) {
        throw toStorageError(err)
      }
      // Whether the server ended the connection mid-transaction (e.g. 57P01 between two statements).
      let lost: Error | undefined
      const onLost = (err: Error): void => { lost ??= err }
      client.on('error', onLost)
      const tx = queryableOf(client)
      let broken: Error | undefined
      try {
        await tx.query('BEGIN')
        const result = await fn(tx)
        await tx.query('COMMIT')
        return result
      } catch (err) {
        // A lost connection has rolled back on the server; ROLLBACK could not be sent anyway.
        if (lost === undefined) {
          try {
            await client.query('ROLLBACK')
          } catch (rollbackError) {
            // The connection is in an unknown state: destroy it rather than return it to the pool.
            broken = rollbackError as Error
          }
        }
        throw toStorageError(err)
      } finally {
        // release() puts the pool's listener back before ours goes, so the client is never without one.
        client.release(lost ?? broken)
        client.removeListener('error', onLost)
      }
    },
    async close () {
      await pool.end()
    }
  }
}
