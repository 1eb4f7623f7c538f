/**
 * The two messages instances exchange over Redis pub/sub. They are parsed defensively: anything
 * on the channel that is not ours (another deployment, a hand-typed PUBLISH) is ignored rather
 * than crashing the subscriber or poisoning the list.
 */

/** A revocation: `id` identifies this publication (for its acks), `from` the publishing instance. */
export interface RevokeMessage {
  id: string
  sessionId: string
  untilMs: number
  from: string
}

/** "Instance `from` has applied revocation `id`." */
export interface AckMessage {
  id: string
  from: string
}

// Session ids are short opaque strings; the cap keeps a stray huge message out of memory.
const MAX_ID_LENGTH = 512

function parseObject (text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

function isId (value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
}

export function parseRevokeMessage (text: string): RevokeMessage | undefined {
  const o = parseObject(text)
  if (o === undefined) return undefined
  const { id, sessionId, untilMs, from } = o
  if (!isId(id) || !isId(sessionId) || !isId(from)) return undefined
  if (typeof untilMs !== 'number' || !Number.isFinite(untilMs)) return undefined
  return { id, sessionId, untilMs, from }
}

export function parseAckMessage (text: string): AckMessage | undefined {
  const o = parseObject(text)
  if (o === undefined) return undefined
  const { id, from } = o
  if (!isId(id) || !isId(from)) return undefined
  return { id, from }
}
