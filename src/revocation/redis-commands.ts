import type { Redis } from 'ioredis'
import type { AckMessage, RevokeMessage } from './messages.js'
import type { RevocationList } from './revocation-list.js'

export interface RevocationKeys {
  /** The sorted set: member = session id, score = untilMs. */
  key: string
  /** Where revocations are published (the same name as the set). */
  channel: string
  ackChannel: string
}

export function revocationKeys (prefix: string): RevocationKeys {
  const key = `${prefix}revocations`
  return { key, channel: key, ackChannel: `${key}:ack` }
}

/** What the store sends on its commands connection; the layout is in this folder's README. */
export interface RevocationCommands {
  /** ZADD + PUBLISH in one MULTI (pruning expired members now and then); resolves to PUBLISH's receiver count. */
  publish (message: RevokeMessage): Promise<number>
  publishAck (ack: AckMessage): Promise<unknown>
  /** Puts entries back (ZADD GT: never shortens one), in batches. */
  readd (entries: Array<[sessionId: string, untilMs: number]>): Promise<void>
  /** Prunes, then loads the live members into `list`, latest expiry first so at most maxEntries keeps those. */
  load (list: RevocationList): Promise<number>
}

// Expired members are harmless (loads filter by score) but would pile up: trim them now and then.
const PRUNE_EVERY_MS = 60_000
// Arguments per ZADD when re-adding the local list, and publications in flight when flushing.
export const BATCH = 500

export function createRevocationCommands (cmd: Redis, keys: RevocationKeys, maxEntries: number, now: () => number): RevocationCommands {
  const { key, channel, ackChannel } = keys
  let lastPruneAt = 0

  return {
    async publish (message) {
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
    },
    async publishAck (ack) {
      return await cmd.publish(ackChannel, JSON.stringify(ack))
    },
    async readd (entries) {
      for (let i = 0; i < entries.length; i += BATCH) {
        const args: Array<string | number> = []
        for (const [sessionId, untilMs] of entries.slice(i, i + BATCH)) args.push(untilMs, sessionId)
        await cmd.zadd(key, 'GT', ...args)
      }
    },
    async load (list) {
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
  }
}
