import { openPglite } from './pglite.js'
import { openPostgres } from './postgres.js'

/** Anything that runs one SQL statement: the database itself or an open transaction. */
export interface Queryable {
  query<R = Record<string, unknown>> (sql: string, params?: unknown[]): Promise<{ rows: R[], rowCount: number }>
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  /** Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK on throw) on one connection. */
  transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T>
  close (): Promise<void>
}

export interface DatabaseOptions {
  url?: string
  dataDir?: string
  /**
   * Called with errors of idle pooled PostgreSQL connections (e.g. the server restarted).
   * Without a listener such an error would crash the process; the pool drops the broken
   * connection by itself, so reporting it is all that is left to do.
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
