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
