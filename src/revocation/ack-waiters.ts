/**
 * Waits for the acks of one publication. The number to wait for is PUBLISH's reply (how many
 * subscribers received it), but acks can arrive before that reply does — the subscriber
 * connection may be faster than the command connection — so a wait starts before the publish
 * and counts from the first moment. Every wait is bounded: a subscriber that never acks (crashed
 * between receiving and acking, or not one of ours) costs the timeout, never a hang.
 */

export interface AckOutcome {
  acked: number
  /** Undefined when the publish's reply never came. */
  expected: number | undefined
  timedOut: boolean
}

export interface AckWait {
  /** Sets how many acks complete the wait (PUBLISH's reply). */
  expect (count: number): void
  /** Ends the wait now (the publish failed, or the store is closing). */
  settle (): void
  readonly done: Promise<AckOutcome>
}

export interface AckWaiters {
  wait (id: string, timeoutMs: number): AckWait
  ack (id: string, from: string): void
  settleAll (): void
  readonly pending: number
}

interface Waiting {
  from: Set<string>
  expected: number | undefined
  finish: (timedOut: boolean) => void
}

export function createAckWaiters (): AckWaiters {
  const waits = new Map<string, Waiting>()

  function check (waiting: Waiting): void {
    if (waiting.expected !== undefined && waiting.from.size >= waiting.expected) waiting.finish(false)
  }

  return {
    wait (id, timeoutMs) {
      let resolve!: (outcome: AckOutcome) => void
      const done = new Promise<AckOutcome>((_resolve) => { resolve = _resolve })
      const timer = setTimeout(() => { waiting.finish(true) }, timeoutMs)
      const waiting: Waiting = {
        from: new Set(),
        expected: undefined,
        finish (timedOut) {
          if (!waits.delete(id)) return
          clearTimeout(timer)
          resolve({ acked: waiting.from.size, expected: waiting.expected, timedOut })
        }
      }
      waits.set(id, waiting)
      return {
        expect (count) {
          waiting.expected = count
          check(waiting)
        },
        settle () { waiting.finish(false) },
        done
      }
    },
    ack (id, from) {
      const waiting = waits.get(id)
      if (waiting === undefined) return
      // A Set: an ack delivered twice (a command resent after a reconnect) counts once.
      waiting.from.add(from)
      check(waiting)
    },
    settleAll () {
      for (const waiting of [...waits.values()]) waiting.finish(false)
    },
    get pending () { return waits.size }
  }
}
