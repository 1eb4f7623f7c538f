import { Redis, type RedisOptions } from 'ioredis'

/**
 * One ioredis connection as the revocation store needs it: fail fast while Redis is down (a
 * revoke must not hang behind a reconnect — it queues and the request goes on), keep reconnecting
 * forever with a capped backoff, and leave (re)subscribing to the store, which must know when a
 * subscription is live before it loads the set.
 */
export function createRedisConnection (url: string, name: string): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    autoResubscribe: false,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    connectionName: name
  }
  return new Redis(url, options)
}

/** Status ioredis reports once a connection is usable (a subscriber stays 'ready' too). */
export function isReady (connection: Redis): boolean {
  return connection.status === 'ready'
}

/**
 * Every `intervalMs`, pings each ready connection and calls `onStalled` with one that gave no
 * answer within 2 × `intervalMs` and still looks ready. A half-open socket (peer gone without a
 * FIN) emits nothing: without this, a dead subscriber would keep looking ready while missing every
 * message. A rejected ping means the connection already failed, and its own events report that.
 */
export function startHeartbeat (connections: Redis[], intervalMs: number, onStalled: (connection: Redis) => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const connection of connections) {
      if (!isReady(connection)) continue
      let settled = false
      connection.ping().then(() => { settled = true }, () => { settled = true })
      setTimeout(() => {
        if (!settled && isReady(connection)) onStalled(connection)
      }, 2 * intervalMs).unref()
    }
  }, intervalMs)
  timer.unref()
  return timer
}

/** An error as a log field. */
export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Quits politely when connected (bounded: a stalled server must not hang shutdown), then drops the
 * socket whatever happened, which also stops the reconnect loop.
 */
export async function closeConnection (connection: Redis, timeoutMs = 1000): Promise<void> {
  if (isReady(connection)) {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      connection.quit().catch(() => {}),
      new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs) })
    ])
    clearTimeout(timer)
  }
  connection.disconnect()
}
