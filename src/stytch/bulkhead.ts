/** Thrown when the bulkhead is full: the caller answers 503 with Retry-After instead of waiting. */
export class BulkheadFullError extends Error {
  constructor () {
    super('Too many Stytch calls in flight')
    this.name = 'BulkheadFullError'
  }
}

export interface BulkheadOptions {
  /** Calls allowed in flight at once. */
  maxConcurrent: number
  /** Calls allowed to wait for a slot; beyond that, BulkheadFullError at once. */
  maxQueue: number
  /** How long a queued call waits for a slot before BulkheadFullError. */
  queueTimeoutMs: number
}

interface Waiter { start: () => void, timer: NodeJS.Timeout }

/**
 * A concurrency cap shared by every Stytch call on the request path. A flood of slow-path
 * requests (or a slow Stytch) cannot pile up thousands of sockets and pending promises: a few
 * calls run, a short queue waits briefly, the rest are refused at once — and valid JWTs, checked
 * locally, never enter it.
 */
export function createBulkhead (options: BulkheadOptions) {
  let active = 0
  const queue: Waiter[] = []

  function release (): void {
    active--
    const next = queue.shift()
    if (next !== undefined) {
      clearTimeout(next.timer)
      active++
      next.start()
    }
  }

  return {
    async run<T> (fn: () => Promise<T>): Promise<T> {
      if (active >= options.maxConcurrent) {
        if (queue.length >= options.maxQueue) throw new BulkheadFullError()
        await new Promise<void>((resolve, reject) => {
          const waiter: Waiter = {
            start: resolve,
            timer: setTimeout(() => {
              queue.splice(queue.indexOf(waiter), 1)
              reject(new BulkheadFullError())
            }, options.queueTimeoutMs)
          }
          queue.push(waiter)
        })
      } else {
        active++
      }
      try {
        return await fn()
      } finally {
        release()
      }
    },
    get active () { return active },
    get queued () { return queue.length }
  }
}

export type Bulkhead = ReturnType<typeof createBulkhead>
