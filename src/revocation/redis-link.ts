import type { Redis } from 'ioredis'
import { closeConnection, createRedisConnection, errorMessage, isReady, startHeartbeat } from './redis-connection.js'
import type { RevocationLog } from './store.js'

export interface RedisLinkOptions {
  url: string
  /** Prefixes the two connections' names (`${name}-cmd`, `${name}-sub`). */
  name: string
  /** How often both connections are pinged; a missing answer within 2× this forces a reconnect. */
  heartbeatMs: number
  log: RevocationLog
  /**
   * Brings the local state and Redis back in line; run once both connections are up, again after
   * every failure. Resolves to the fields logged with "in sync"; a rejection is retried.
   */
  sync: () => Promise<object>
}

/**
 * The two connections the revocation store needs (commands, and a subscriber that can run nothing
 * else) and whether they can be trusted. `healthy` is false from the moment either connection
 * drops (or misses a heartbeat) until both are back and a `sync` begun after that has completed.
 */
export interface RedisLink {
  readonly cmd: Redis
  readonly sub: Redis
  readonly healthy: boolean
  readonly closed: boolean
  /** Something failed although both connections are up (Redis answered an error): sync again soon. */
  retry (): void
  /** Connects; resolves at the first sync, or at the first failure (Redis down: it keeps trying). */
  start (): Promise<void>
  /** Stops the timers, settles start() and closes both connections; `healthy` is false from then on. */
  close (): Promise<void>
}

// A sync that failed on a connection that is still up (e.g. Redis answered an error) is retried
// after this; a dropped connection is resynced by its own 'ready' instead.
const RESYNC_RETRY_MS = 500

export function createRedisLink (options: RedisLinkOptions): RedisLink {
  const { heartbeatMs, log } = options
  const cmd = createRedisConnection(options.url, `${options.name}-cmd`)
  const sub = createRedisConnection(options.url, `${options.name}-sub`)

  let starting: Promise<void> | undefined
  let closed = false
  // Synced since both connections last came up; `healthy` also checks they still are.
  let loaded = false
  // Bumped whenever a connection fails: a sync that straddles a failure must not report healthy.
  let epoch = 0
  let reportedDown = false
  let syncing = false
  let syncAgain = false
  let retryTimer: NodeJS.Timeout | undefined
  let heartbeatTimer: NodeJS.Timeout | undefined
  let startSettled: (() => void) | undefined

  function bothReady (): boolean {
    return isReady(cmd) && isReady(sub)
  }

  function settleStart (): void {
    startSettled?.()
    startSettled = undefined
  }

  function markDown (event: string, err?: unknown): void {
    epoch++
    loaded = false
    if (closed) return
    if (!reportedDown) {
      reportedDown = true
      log.warn({ event, err: err === undefined ? undefined : errorMessage(err) },
        'revocation store cannot reach Redis: revocations from other instances may be missed, failing closed')
    }
    settleStart()
    // An 'error' that left both connections up brings no 'ready' to resync on.
    retry()
  }

  function retry (): void {
    if (bothReady()) scheduleResync()
  }

  function scheduleResync (): void {
    if (closed || retryTimer !== undefined) return
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      void resync()
    }, RESYNC_RETRY_MS)
    retryTimer.unref()
  }

  async function syncOnce (): Promise<void> {
    const startedAt = epoch
    try {
      const fields = await options.sync()
      if (startedAt !== epoch || closed || !bothReady()) return
      loaded = true
      reportedDown = false
      log.info(fields, 'revocation store in sync with Redis')
      settleStart()
    } catch (err) {
      // A connection that dropped resyncs on its 'ready'; anything else is retried here.
      if (closed || startedAt !== epoch) return
      log.warn({ err: errorMessage(err) }, 'revocation store sync with Redis failed, retrying')
      settleStart()
      scheduleResync()
    }
  }

  async function resync (): Promise<void> {
    if (closed || !bothReady()) return
    if (syncing) {
      syncAgain = true
      return
    }
    syncing = true
    try {
      do {
        syncAgain = false
        await syncOnce()
        // `syncAgain` and `closed` change while syncOnce() awaits (events, close()): not a constant condition.
        // eslint-disable-next-line no-unmodified-loop-condition
      } while (syncAgain && !closed && bothReady())
    } finally {
      syncing = false
    }
  }

  for (const [name, connection] of [['commands', cmd], ['subscriber', sub]] as const) {
    // These listeners also keep connection errors from ever being unhandled.
    connection.on('error', (err: unknown) => { markDown(`${name} error`, err) })
    connection.on('close', () => { markDown(`${name} close`) })
    connection.on('end', () => { markDown(`${name} end`) })
    connection.on('ready', () => { void resync() })
  }

  return {
    cmd,
    sub,
    get healthy () { return loaded && !closed && bothReady() },
    get closed () { return closed },
    retry,
    async start () {
      if (closed) return
      if (starting !== undefined) return await starting
      starting = new Promise<void>((resolve) => { startSettled = resolve })
      cmd.connect().catch(() => {})
      sub.connect().catch(() => {})
      heartbeatTimer = startHeartbeat([cmd, sub], heartbeatMs, (connection) => {
        if (closed) return
        markDown('heartbeat timeout')
        connection.disconnect(true)
      })
      await starting
    },
    async close () {
      if (closed) return
      closed = true
      loaded = false
      clearInterval(heartbeatTimer)
      clearTimeout(retryTimer)
      settleStart()
      await Promise.all([closeConnection(cmd), closeConnection(sub)])
    }
  }
}
