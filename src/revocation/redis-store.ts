import { randomBytes } from 'node:crypto'
import { createAckWaiters } from './ack-waiters.js'
import { parseAckMessage, parseRevokeMessage, type RevokeMessage } from './messages.js'
import { closeConnection, createRedisConnection, isReady } from './redis-connection.js'
import { createRevocationList } from './revocation-list.js'
import type { RevocationStore } from './store.js'

export interface RevocationLog {
  warn (obj: object, msg: string): void
  info (obj: object, msg: string): void
}

export interface RedisRevocationStoreOptions {
  url: string
  /** Namespaces the key and the channels (several deployments, or tests, on one Redis). */
  prefix: string
  /** Bound on how long revoke() waits for the other instances' acks. Default 250. */
  ackTimeoutMs?: number
  maxEntries?: number
  now?: () => number
  log?: RevocationLog
  /** How often both connections are pinged; a missing answer within 2× this forces a reconnect. Default 1000. */
  heartbeatMs?: number
}

// A resync that failed on a connection that is still up (e.g. Redis answered an error) is retried
// after this; a dropped connection is resynced by its own 'ready' instead.
const RESYNC_RETRY_MS = 500
// Expired members are harmless (loads filter by score) but would pile up: trim them now and then.
const PRUNE_EVERY_MS = 60_000
// Arguments per ZADD when re-adding the local list, and publications in flight when flushing.
const BATCH = 500

const silent: RevocationLog = { warn () {}, info () {} }

function newId (): string {
  return randomBytes(9).toString('base64url')
}

function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The revocation list shared through Redis (DESIGN.md §5):
 * - a sorted set `${prefix}revocations` (member = session id, score = untilMs) holds the live
 *   entries, so an instance that starts (or reconnects) later loads them;
 * - each revoke is ZADDed and PUBLISHed on the channel of the same name in one MULTI; every
 *   instance applies the message to its local list and then publishes an ack on
 *   `${prefix}revocations:ack`. The revoker waits for as many acks as PUBLISH reported receivers,
 *   so when revoke() resolves every live instance already refuses the session;
 * - `healthy` is false from the moment either connection drops until both are back, subscribed,
 *   and the set has been re-merged and reloaded: while it is false the caller fails closed.
 */
export function createRedisRevocationStore (options: RedisRevocationStoreOptions): RevocationStore {
  const ackTimeoutMs = options.ackTimeoutMs ?? 250
  const maxEntries = options.maxEntries ?? 100_000
  const heartbeatMs = options.heartbeatMs ?? 1000
  const now = options.now ?? Date.now
  const log = options.log ?? silent
  const key = `${options.prefix}revocations`
  const channel = key
  const ackChannel = `${key}:ack`
  const instanceId = newId()

  const list = createRevocationList({ maxEntries, now })
  // Revocations not yet published (Redis was down, or the publish failed): sent on the next sync.
  const queued = new Map<string, number>()
  const acks = createAckWaiters()
  const cmd = createRedisConnection(options.url, `revocations-${instanceId}-cmd`)
  const sub = createRedisConnection(options.url, `revocations-${instanceId}-sub`)

  let starting: Promise<void> | undefined
  let closed = false
  // The set was loaded since both connections last came up; `healthy` also checks they still are.
  let loaded = false
  // Bumped whenever a connection fails: a sync that straddles a failure must not report healthy.
  let epoch = 0
  let reportedDown = false
  let syncing = false
  let syncAgain = false
  let lastPruneAt = 0
  let retryTimer: NodeJS.Timeout | undefined
  let heartbeatTimer: NodeJS.Timeout | undefined
  // start() resolves at the first sync, or at the first failure (Redis down: it keeps trying).
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

  async function publish (message: RevokeMessage): Promise<number> {
    const multi = cmd.multi().zadd(key, 'GT', message.untilMs, message.sessionId)
    const t = now()
    if (t - lastPruneAt >= PRUNE_EVERY_MS) {
      lastPruneAt = t
      multi.zremrangebyscore(key, '-inf', t)
    }
    multi.publish(channel, JSON.stringify(message))
    const results = await multi.exec()
    if (results === null) throw new Error('MULTI aborted')
    for (const [err] of results) if (err !== null) throw err
    const receivers = results[results.length - 1]?.[1]
    if (typeof receivers !== 'number') throw new Error('unexpected PUBLISH reply')
    return receivers
  }

  function enqueue (sessionId: string, untilMs: number): void {
    const previous = queued.get(sessionId)
    queued.delete(sessionId)
    queued.set(sessionId, Math.max(untilMs, previous ?? 0))
    if (queued.size > maxEntries) {
      const oldest = queued.keys().next().value
      if (oldest !== undefined) queued.delete(oldest)
    }
    // Failed although connected (Redis answered an error): retry without waiting for a reconnect.
    if (bothReady()) scheduleResync()
  }

  /** Puts every local live entry back: heals a Redis restart that lost the set (no persistence). */
  async function readd (): Promise<void> {
    const entries = [...list.liveEntries()]
    for (let i = 0; i < entries.length; i += BATCH) {
      const args: Array<string | number> = []
      for (const [sessionId, untilMs] of entries.slice(i, i + BATCH)) args.push(untilMs, sessionId)
      await cmd.zadd(key, 'GT', ...args)
    }
  }

  async function flushQueue (): Promise<void> {
    const entries = [...queued]
    for (let i = 0; i < entries.length; i += BATCH) {
      await Promise.all(entries.slice(i, i + BATCH).map(async ([sessionId, untilMs]) => {
        // No ack wait here: whoever revoked has long been answered; peers reload the set anyway.
        if (untilMs > now()) await publish({ id: newId(), sessionId, untilMs, from: instanceId })
        if (queued.get(sessionId) === untilMs) queued.delete(sessionId)
      }))
    }
  }

  /** Loads the live entries, latest expiry first so a set larger than maxEntries keeps those. */
  async function load (): Promise<number> {
    const t = now()
    await cmd.zremrangebyscore(key, '-inf', t)
    lastPruneAt = t
    const flat = await cmd.zrevrangebyscore(key, '+inf', `(${t}`, 'WITHSCORES', 'LIMIT', 0, maxEntries)
    // Applied oldest first: the local list evicts in insertion order.
    for (let i = flat.length - 2; i >= 0; i -= 2) {
      const sessionId = flat[i]
      const untilMs = Number(flat[i + 1])
      if (sessionId !== undefined && Number.isFinite(untilMs)) list.revoke(sessionId, untilMs)
    }
    return flat.length / 2
  }

  async function syncOnce (): Promise<void> {
    const startedAt = epoch
    try {
      // Subscribed first: from then on nothing published is missed, and what was published before
      // is in the set loaded below — no gap between the two.
      await sub.subscribe(channel, ackChannel)
      await readd()
      await flushQueue()
      const entries = await load()
      if (startedAt !== epoch || closed || !bothReady()) return
      loaded = true
      reportedDown = false
      log.info({ entries, size: list.size }, 'revocation store in sync with Redis')
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
      } while (syncAgain && !closed && bothReady())
    } finally {
      syncing = false
    }
  }

  function onMessage (source: string, text: string): void {
    if (source === ackChannel) {
      const ack = parseAckMessage(text)
      if (ack !== undefined) acks.ack(ack.id, ack.from)
      return
    }
    if (source !== channel) return
    const message = parseRevokeMessage(text)
    if (message === undefined) return
    if (message.untilMs > now()) list.revoke(message.sessionId, message.untilMs)
    if (message.from === instanceId) {
      acks.ack(message.id, instanceId)
      return
    }
    // Only after applying it: the revoker resolving must mean this instance already refuses it.
    if (isReady(cmd)) {
      cmd.publish(ackChannel, JSON.stringify({ id: message.id, from: instanceId })).catch(() => {
        // The revoker's wait is bounded by its ack timeout; nothing more to do here.
      })
    }
  }

  function heartbeat (): void {
    for (const connection of [cmd, sub]) {
      if (!isReady(connection)) continue
      // A half-open socket (peer gone without a FIN) emits nothing: without this, a dead
      // subscriber would keep reporting healthy while missing every revocation.
      // A rejected ping means the connection already failed, and its own events handled that.
      let settled = false
      connection.ping().then(() => { settled = true }, () => { settled = true })
      setTimeout(() => {
        if (settled || closed || !isReady(connection)) return
        markDown('heartbeat timeout')
        connection.disconnect(true)
      }, 2 * heartbeatMs).unref()
    }
  }

  for (const [name, connection] of [['commands', cmd], ['subscriber', sub]] as const) {
    // These listeners also keep connection errors from ever being unhandled.
    connection.on('error', (err: unknown) => { markDown(`${name} error`, err) })
    connection.on('close', () => { markDown(`${name} close`) })
    connection.on('end', () => { markDown(`${name} end`) })
    connection.on('ready', () => { void resync() })
  }
  sub.on('message', onMessage)

  return {
    async revoke (sessionId, untilMs) {
      list.revoke(sessionId, untilMs)
      if (closed || untilMs <= now()) return
      if (!isReady(cmd)) {
        log.warn({ sessionId }, 'Redis unavailable: revocation applied locally, queued for the other instances')
        enqueue(sessionId, untilMs)
        return
      }
      const id = newId()
      // Started before the publish: acks may arrive before PUBLISH's reply does.
      const wait = acks.wait(id, ackTimeoutMs)
      publish({ id, sessionId, untilMs, from: instanceId }).then(
        (receivers) => { wait.expect(receivers) },
        (err: unknown) => {
          log.warn({ sessionId, err: errorMessage(err) }, 'revocation publish failed: applied locally, queued for the other instances')
          enqueue(sessionId, untilMs)
          wait.settle()
        })
      const outcome = await wait.done
      if (outcome.timedOut) {
        log.warn({ sessionId, acked: outcome.acked, expected: outcome.expected, ackTimeoutMs },
          'revocation not acknowledged by every instance in time')
      }
    },
    isRevoked (sessionId) {
      return list.isRevoked(sessionId)
    },
    get healthy () {
      return loaded && !closed && bothReady()
    },
    get size () {
      return list.size
    },
    async start () {
      if (closed) return
      if (starting !== undefined) return await starting
      starting = new Promise<void>((resolve) => { startSettled = resolve })
      cmd.connect().catch(() => {})
      sub.connect().catch(() => {})
      heartbeatTimer = setInterval(heartbeat, heartbeatMs)
      heartbeatTimer.unref()
      await starting
    },
    async close () {
      if (closed) return
      closed = true
      loaded = false
      clearInterval(heartbeatTimer)
      clearTimeout(retryTimer)
      settleStart()
      acks.settleAll()
      if (queued.size > 0) log.warn({ queued: queued.size }, 'revocation store closed with revocations never published')
      await Promise.all([closeConnection(cmd), closeConnection(sub)])
    }
  }
}
