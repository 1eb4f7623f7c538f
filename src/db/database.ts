import { openPglite } from './pglite.js'
import { openPostgres } from './postgres.js'

/**
 * Anything that runs one SQL statement: the database itself or an open transaction. Failures
 * because the database is unreachable or unable to serve reject with DatabaseUnavailableError.
 */
export interface Queryable {
  /**
   * `name` makes it a prepared statement on PostgreSQL: parsed and planned once per connection, then
   * only bound and executed (the hot document queries). One name is one SQL text, always. PGlite
   * (one in-process connection) ignores it.
   */
  query<R = Record<string, unknown>> (sql: string, params?: unknown[], name?: string): Promise<{ rows: R[], rowCount: number }>
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  /** Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK on throw) on one connection. */
  transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T>
  close (): Promise<void>
  /** PostgreSQL: the pool's connections (metrics). PGlite has one in-process connection: none. */
  poolStats? (): { total: number, idle: number, waiting: number, max: number }
}

/** Runs one database operation (a statement, or a whole transaction) for an observer (metrics, spans). */
export type DatabaseObserver = <T>(operation: string, fn: () => Promise<T>) => Promise<T>

/** The first SQL keyword (SELECT, INSERT, ...): what a statement does, never its values. */
const operationOf = (sql: string): string => /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'OTHER'

/** The database with every statement and transaction run through `observe` (the one wrapper). */
export function observedDatabase (database: Database, observe: DatabaseObserver): Database {
  const wrap = (q: Queryable): Queryable['query'] => (sql, params, name) => observe(operationOf(sql), () => q.query(sql, params, name))
  return {
    kind: database.kind,
    query: wrap(database),
    transaction: (fn) => observe('TRANSACTION', () => database.transaction((tx) => fn({ query: wrap(tx) }))),
    close: () => database.close(),
    ...(database.poolStats === undefined ? {} : { poolStats: () => (database.poolStats as NonNullable<Database['poolStats']>)() })
  }
}

export interface DatabaseOptions {
  url?: string
  dataDir?: string
  /**
   * Called (at most once per connection) with the error a PostgreSQL connection emits when it
   * breaks, e.g. the server restarted or terminated the backend while the connection was idle in
   * the pool or inside a transaction. The broken connection is dropped by itself and a call using
   * it fails with DatabaseUnavailableError, so reporting it is all that is left to do.
   */
  onError?: (err: Error) => void
}

/** url set → node-postgres Pool; else embedded PGlite at dataDir (created if missing; 'memory://' = in-memory). */
export async function openDatabase (options: DatabaseOptions): Promise<Database> {
  if (options.url !== undefined && options.url !== '') {
    return openPostgres(options.url, options.onError)
  }
  return openPglite(options.dataDir ?? 'memory://')
}

/** Whether the database answers `SELECT 1` within `timeoutMs` (a readiness probe must not hang on a stuck database). */
export async function databaseAnswers (database: Queryable, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<false>((resolve) => { timer = setTimeout(resolve, timeoutMs, false) })
  try {
    return await Promise.race([database.query('SELECT 1').then(() => true, () => false), timedOut])
  } finally {
    clearTimeout(timer)
  }
}
