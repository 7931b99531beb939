/**
 * Fixed-window request limits shared by every gateway instance, with the shared counter kept off
 * most requests' path.
 *
 * Why: one Redis round trip per request was the largest part of what the gateway cost per proxied
 * request (bench:gateway). A key far from its limit cannot be refused by the next few requests, so
 * those are counted here and added to the shared counter in one batch per flush. A key near its
 * limit is decided exactly: its pending count and the request go to the shared counter together
 * and the answer decides.
 *
 * How near is near: an instance may count locally at most `localShare` of what the key had left
 * at its last look at the shared counter (0: every request is decided exactly). With N instances
 * the shared count can pass the limit by at most what the other N - 1 instances hold pending,
 * each under `localShare` of the remainder, and only until the next flush; a limit below
 * 1 / localShare is always exact.
 */

/** The shared counters: add `amount` to `key`'s count, kept until `expireAtMs`; returns the new count. */
export interface WindowCounterStore {
  add(key: string, amount: number, expireAtMs: number): Promise<number>
}

export interface WindowLimitOptions {
  max: number
  windowMs: number
  /** Share of the remainder an instance may count before asking the shared counter; 0 to 1. */
  localShare: number
}

export type LimitDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number }

interface KeyState {
  window: number
  /** The shared count at the last answer from the store. */
  known: number
  /** Requests allowed here and not yet added to the shared count. */
  pending: number
  /** How many may still be counted here before an exact decision. */
  budget: number
}

export interface WindowLimiter {
  /** Counts one request against `key` and says whether it may pass. */
  hit(key: string): Promise<LimitDecision>
  /** Adds every pending count to the shared counters (on a timer, and at close). */
  flush(): Promise<void>
  /** Keys held in memory (pending counts of the current or the last window). */
  size(): number
}

export function createWindowLimiter(
  store: WindowCounterStore,
  options: WindowLimitOptions,
  now: () => number = Date.now,
): WindowLimiter {
  const states = new Map<string, KeyState>()
  const windowOf = (time: number) => Math.floor(time / options.windowMs)
  const windowEnd = (window: number) => (window + 1) * options.windowMs
  // The window's number is part of the key: a new window starts a new counter, the old one expires.
  const counterKey = (key: string, window: number) => `${key}:${window}`
  const budgetFor = (known: number) => Math.floor(Math.max(0, options.max - known) * options.localShare)

  function stateOf(key: string, window: number): KeyState {
    const state = states.get(key)
    if (state && state.window === window) return state
    // A window that ended with counts pending: they are flushed on the next flush (kept aside).
    if (state && state.pending > 0) states.set(`${key}\u0000${state.window}`, state)
    const fresh = { window, known: 0, pending: 0, budget: budgetFor(0) }
    states.set(key, fresh)
    return fresh
  }

  async function hit(key: string): Promise<LimitDecision> {
    const time = now()
    const window = windowOf(time)
    const state = stateOf(key, window)
    if (state.pending < state.budget) {
      state.pending += 1
      return { allowed: true, remaining: Math.max(0, options.max - state.known - state.pending) }
    }
    const amount = state.pending + 1
    state.pending = 0
    const count = await store.add(counterKey(key, window), amount, windowEnd(window))
    if (state.window === window) {
      state.known = Math.max(state.known, count)
      state.budget = budgetFor(state.known)
    }
    if (count <= options.max) return { allowed: true, remaining: options.max - count }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd(window) - time) / 1000)) }
  }

  async function flush(): Promise<void> {
    const current = windowOf(now())
    const batch: Promise<void>[] = []
    for (const [name, state] of states) {
      const key = name.includes('\u0000') ? name.slice(0, name.indexOf('\u0000')) : name
      if (state.pending === 0) {
        if (state.window < current) states.delete(name)
        continue
      }
      const amount = state.pending
      state.pending = 0
      if (state.window < current) states.delete(name)
      batch.push(
        store.add(counterKey(key, state.window), amount, windowEnd(state.window)).then((count) => {
          state.known = Math.max(state.known, count)
          state.budget = budgetFor(state.known)
        }),
      )
    }
    // A failed add loses only its batch's counts: the limiter errs on letting requests through.
    const failed = (await Promise.allSettled(batch)).find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
  }

  return { hit, flush, size: () => states.size }
}
