import { type CartCommit, MAX_COMMITS_PER_JOB } from '@bookstore/events'
import { mergeCommits } from './merge-commits'

export interface PersistenceSpoolOptions {
  /** Enqueues one persistence job holding these commits. */
  enqueue: (commits: CartCommit[]) => Promise<unknown>
  /** Carts the spool holds at most; beyond that a commit is dropped (counted, left to reconciliation). */
  maxUsers: number
  /** Pause between tries while the queue refuses. */
  retryMs: number
  onDropped: (commit: CartCommit) => void
  onRetryFailed: (error: unknown, size: number) => void
  onReplayed: (commits: CartCommit[]) => void
}

/**
 * Where commits wait while the persistence queue cannot be reached (SPEC P5). One entry per cart
 * (the newest version, the oldest commit time: a commit carries no state, so the newest one stands
 * for all), so its size is bounded by the number of carts, not of changes. A timer puts them on
 * the queue as soon as it takes them again. It lives in memory: what a process crash takes with it
 * is repaired by the reconciliation sweep (Redis' version counter is ahead of PostgreSQL's) or by
 * the cart's next change, whose job writes the whole newest cart.
 */
export function createPersistenceSpool(options: PersistenceSpoolOptions) {
  const waiting = new Map<string, CartCommit>()
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> | undefined

  async function flushOnce(): Promise<void> {
    while (waiting.size > 0) {
      const commits = [...waiting.values()].slice(0, MAX_COMMITS_PER_JOB)
      try {
        await options.enqueue(commits)
      } catch (error) {
        options.onRetryFailed(error, waiting.size)
        return
      }
      for (const commit of commits) {
        // A newer commit of the same cart may have arrived meanwhile: it stays.
        const current = waiting.get(commit.userId)
        if (current && current.version <= commit.version) waiting.delete(commit.userId)
      }
      options.onReplayed(commits)
    }
  }

  function flush(): Promise<void> {
    flushing ??= flushOnce().finally(() => {
      flushing = undefined
    })
    return flushing
  }

  function schedule() {
    if (timer || waiting.size === 0) return
    timer = setTimeout(() => {
      timer = undefined
      void flush().then(schedule)
    }, options.retryMs)
    timer.unref()
  }

  return {
    add(commits: readonly CartCommit[]): void {
      for (const commit of commits) {
        const earlier = waiting.get(commit.userId)
        if (!earlier && waiting.size >= options.maxUsers) {
          options.onDropped(commit)
          continue
        }
        waiting.set(commit.userId, mergeCommits(earlier, commit))
      }
      schedule()
    },
    size: () => waiting.size,
    /** One last try (at shutdown); what stays is left to reconciliation. */
    async close(): Promise<number> {
      if (timer) clearTimeout(timer)
      timer = undefined
      await flush()
      return waiting.size
    },
  }
}
export type PersistenceSpool = ReturnType<typeof createPersistenceSpool>
