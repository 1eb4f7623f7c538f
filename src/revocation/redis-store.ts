import { randomBytes } from 'node:crypto'
import { createAckWaiters } from './ack-waiters.js'
import { parseAckMessage, parseRevokeMessage } from './messages.js'
import { BATCH, createRevocationCommands, revocationKeys } from './redis-commands.js'
import { errorMessage, isReady } from './redis-connection.js'
import { createRedisLink } from './redis-link.js'
import { createRevocationList } from './revocation-list.js'
import type { RevocationLog, RevocationStore } from './store.js'

export interface RedisRevocationStoreOptions {
  url: string
  /** Namespaces the key and the channels (several deployments, or tests, on one Redis). */
  prefix: string
  /** Bound on how long revoke() waits for the other instances' acks. Default 250. */
  ackTimeoutMs?: number
  /** Told, per revocation published, how long the other instances took to ack it (metrics). */
  onAck?: (seconds: number, outcome: 'acked' | 'timed_out') => void
  maxEntries?: number
  now?: () => number
  log?: RevocationLog
  /** How often both connections are pinged; a missing answer within 2× this forces a reconnect. Default 1000. */
  heartbeatMs?: number
}

const silent: RevocationLog = { warn () {}, info () {} }

function newId (): string {
  return randomBytes(9).toString('base64url')
}

/**
 * The revocation list shared through Redis (DESIGN.md §5), on the connections of a RedisLink
 * (redis-link.ts) with the commands of redis-commands.ts:
 * - a sorted set `${prefix}revocations` (member = session id, score = untilMs) holds the live
 *   entries, so an instance that starts (or reconnects) later loads them;
 * - each revoke is ZADDed and PUBLISHed on the channel of the same name in one MULTI; every
 *   instance applies the message to its local list and then publishes an ack on
 *   `${prefix}revocations:ack`. The revoker waits for as many acks as PUBLISH reported receivers,
 *   so when revoke() resolves every live instance already refuses the session;
 * - `healthy` (the link's) is false from the moment either connection drops until both are back,
 *   subscribed, and the set has been re-merged and reloaded (`sync` below): while it is false the
 *   caller fails closed.
 */
export function createRedisRevocationStore (options: RedisRevocationStoreOptions): RevocationStore {
  const ackTimeoutMs = options.ackTimeoutMs ?? 250
  const maxEntries = options.maxEntries ?? 100_000
  const now = options.now ?? Date.now
  const log = options.log ?? silent
  const keys = revocationKeys(options.prefix)
  const { channel, ackChannel } = keys
  const instanceId = newId()

  const list = createRevocationList({ maxEntries, now })
  // Revocations not yet published (Redis was down, or the publish failed): sent on the next sync.
  const queued = new Map<string, number>()
  const acks = createAckWaiters()
  const heartbeatMs = options.heartbeatMs ?? 1000
  const link = createRedisLink({ url: options.url, name: `revocations-${instanceId}`, heartbeatMs, log, sync })
  const { cmd, sub } = link
  const redis = createRevocationCommands(cmd, keys, maxEntries, now)

  function enqueue (sessionId: string, untilMs: number): void {
    const previous = queued.get(sessionId)
    queued.delete(sessionId)
    queued.set(sessionId, Math.max(untilMs, previous ?? 0))
    if (queued.size > maxEntries) {
      const oldest = queued.keys().next().value
      if (oldest !== undefined) queued.delete(oldest)
    }
    // Failed although connected (Redis answered an error): retry without waiting for a reconnect.
    link.retry()
  }

  async function flushQueue (): Promise<void> {
    const entries = [...queued]
    for (let i = 0; i < entries.length; i += BATCH) {
      await Promise.all(entries.slice(i, i + BATCH).map(async ([sessionId, untilMs]) => {
        // No ack wait here: whoever revoked has long been answered; peers reload the set anyway.
        if (untilMs > now()) await redis.publish({ id: newId(), sessionId, untilMs, from: instanceId })
        if (queued.get(sessionId) === untilMs) queued.delete(sessionId)
      }))
    }
  }

  /** Run by the link whenever both connections are (back) up; it reports healthy once this resolves. */
  async function sync (): Promise<object> {
    // Subscribed first: from then on nothing published is missed, and what was published before
    // is in the set loaded below — no gap between the two.
    await sub.subscribe(channel, ackChannel)
    // Puts every local live entry back: heals a Redis restart that lost the set (no persistence).
    await redis.readd([...list.liveEntries()])
    await flushQueue()
    const entries = await redis.load(list)
    return { entries, size: list.size }
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
      redis.publishAck({ id: message.id, from: instanceId }).catch(() => {
        // The revoker's wait is bounded by its ack timeout; nothing more to do here.
      })
    }
  }

  sub.on('message', onMessage)

  return {
    async revoke (sessionId, untilMs) {
      list.revoke(sessionId, untilMs)
      if (link.closed || untilMs <= now()) return
      if (!isReady(cmd)) {
        log.warn({ sessionId }, 'Redis unavailable: revocation applied locally, queued for the other instances')
        enqueue(sessionId, untilMs)
        return
      }
      const id = newId()
      // Started before the publish: acks may arrive before PUBLISH's reply does.
      const wait = acks.wait(id, ackTimeoutMs)
      const started = performance.now()
      redis.publish({ id, sessionId, untilMs, from: instanceId }).then(
        (receivers) => { wait.expect(receivers) },
        (err: unknown) => {
          log.warn({ sessionId, err: errorMessage(err) }, 'revocation publish failed: applied locally, queued for the other instances')
          enqueue(sessionId, untilMs)
          wait.settle()
        })
      const outcome = await wait.done
      options.onAck?.((performance.now() - started) / 1000, outcome.timedOut ? 'timed_out' : 'acked')
      if (outcome.timedOut) {
        log.warn({ sessionId, acked: outcome.acked, expected: outcome.expected, ackTimeoutMs },
          'revocation not acknowledged by every instance in time')
      }
    },
    isRevoked (sessionId) {
      return list.isRevoked(sessionId)
    },
    get healthy () {
      return link.healthy
    },
    get size () {
      return list.size
    },
    async start () {
      await link.start()
    },
    async close () {
      if (link.closed) return
      acks.settleAll()
      if (queued.size > 0) log.warn({ queued: queued.size }, 'revocation store closed with revocations never published')
      await link.close()
    }
  }
}
