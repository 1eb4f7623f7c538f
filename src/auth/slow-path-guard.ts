import { createHash } from 'node:crypto'

export interface SlowPathGuardOptions {
  /** How long a credential Stytch rejected is answered locally (no new call). */
  rejectedTtlMs: number
  /** Bound on remembered rejected credentials (oldest dropped first). */
  maxRejected: number
  /** Slow-path calls per client address that may end in a rejection, per window. */
  rejectionsPerIp: number
  windowMs: number
  /** Bound on tracked client addresses. */
  maxClients: number
  now?: () => number
}

interface Budget { windowStart: number, spent: number }

/** Credentials are remembered by digest, never as such. */
const digest = (credential: string): string => createHash('sha256').update(credential).digest('base64url').slice(0, 22)

/**
 * Keeps junk credentials from turning into Stytch traffic (the slow path's flood guard):
 * - a credential Stytch rejected is answered locally for a while (bounded negative cache);
 * - per client address, slow-path calls that could end in a rejection have a budget per window
 *   (a call counts when it starts and is refunded when Stytch vouches for the session), so random
 *   tokens from one client cost at most the budget (plus the calls in flight) per window.
 */
export function createSlowPathGuard (options: SlowPathGuardOptions) {
  const now = options.now ?? Date.now
  const rejected = new Map<string, { until: number, error: Error }>()
  const budgets = new Map<string, Budget>()

  function budgetOf (ip: string): Budget {
    const t = now()
    let budget = budgets.get(ip)
    if (budget === undefined || t - budget.windowStart >= options.windowMs) {
      budgets.delete(ip)
      if (budgets.size >= options.maxClients) {
        const oldest = budgets.keys().next().value
        if (oldest !== undefined) budgets.delete(oldest)
      }
      budget = { windowStart: t, spent: 0 }
      budgets.set(ip, budget)
    }
    return budget
  }

  return {
    /** The error Stytch gave this credential recently, if any. */
    knownRejection (credential: string): Error | undefined {
      const key = digest(credential)
      const entry = rejected.get(key)
      if (entry === undefined) return undefined
      if (entry.until > now()) return entry.error
      rejected.delete(key)
      return undefined
    },

    rememberRejection (credential: string, error: Error): void {
      const key = digest(credential)
      rejected.delete(key)
      if (rejected.size >= options.maxRejected) {
        const oldest = rejected.keys().next().value
        if (oldest !== undefined) rejected.delete(oldest)
      }
      rejected.set(key, { until: now() + options.rejectedTtlMs, error })
    },

    /** Takes one unit of the address's budget; the seconds to wait when it is spent. */
    take (ip: string): { ok: true } | { ok: false, retryAfterSeconds: number } {
      const budget = budgetOf(ip)
      if (budget.spent >= options.rejectionsPerIp) {
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((budget.windowStart + options.windowMs - now()) / 1000)) }
      }
      budget.spent++
      return { ok: true }
    },

    /** Gives the unit back: Stytch vouched for the session (or could not answer at all). */
    refund (ip: string): void {
      const budget = budgets.get(ip)
      if (budget !== undefined && budget.spent > 0) budget.spent--
    },

    get size () { return { rejected: rejected.size, clients: budgets.size } }
  }
}

export type SlowPathGuard = ReturnType<typeof createSlowPathGuard>
