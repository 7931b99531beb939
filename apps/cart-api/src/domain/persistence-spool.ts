import { type CartCommit, MAX_COMMITS_PER_JOB } from '@bookstore/events'
import { mergeCommits } from './merge-commits'

/** Where the spool marks its carts so that they outlive this process (the durable spool). */
export interface DurableMarks {
  mark: (userIds: readonly string[], at: number) => Promise<unknown>
  /** Takes out the marks of these carts made at or before `upTo`. */
  release: (userIds: readonly string[], upTo: number) => Promise<unknown>
}

export interface PersistenceSpoolOptions {
  /** Enqueues one persistence job holding these commits. */
  enqueue: (commits: CartCommit[]) => Promise<unknown>
  /** Carts the spool holds at most; beyond that a commit is dropped (counted, left to reconciliation). */
  maxUsers: number
  /** Pause between tries while the queue refuses. */
  retryMs: number
  /** Without it the spool lives in memory only (a crash loses it to reconciliation). */
  durable?: DurableMarks
  onDropped: (commit: CartCommit) => void
  onRetryFailed: (error: unknown, size: number) => void
  onReplayed: (commits: CartCommit[]) => void
  /** A durable mark could not be written or taken out (the commit still waits in memory). */
  onDurableFailed?: (error: unknown, step: 'mark' | 'release') => void
  now?: () => number
}

/**
 * Where commits wait while the persistence queue cannot take them (SPEC P3, P5): it is away, or
 * too slow under overload. One entry per cart (the newest version, the oldest commit time: a commit
 * carries no state, so the newest one stands for all), so its size is bounded by the number of
 * carts, not of changes. A timer puts them on the queue as soon as it takes them again.
 *
 * Each spooled cart is also marked in Redis (the durable spool, packages/cart-store), and the
 * caller waits for that mark: if this process dies, persistence-worker finds the marks it left and
 * persists those carts within seconds, rather than the next reconciliation minutes later. A mark
 * is taken out once its commit is on the queue, unless the cart was spooled again since.
 */
export function createPersistenceSpool(options: PersistenceSpoolOptions) {
  const now = options.now ?? Date.now
  const waiting = new Map<string, CartCommit>()
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> | undefined

  const durably = async (step: 'mark' | 'release', run: (marks: DurableMarks) => Promise<unknown>) => {
    if (!options.durable) return
    try {
      await run(options.durable)
    } catch (error) {
      options.onDurableFailed?.(error, step)
    }
  }

  async function flushOnce(): Promise<void> {
    while (waiting.size > 0) {
      const commits = [...waiting.values()].slice(0, MAX_COMMITS_PER_JOB)
      // Marks made from here on belong to commits this job does not carry: they stay.
      const upTo = now()
      try {
        await options.enqueue(commits)
      } catch (error) {
        options.onRetryFailed(error, waiting.size)
        return
      }
      const released: string[] = []
      for (const commit of commits) {
        // A newer commit of the same cart may have arrived meanwhile: it stays.
        const current = waiting.get(commit.userId)
        if (current && current.version <= commit.version) {
          waiting.delete(commit.userId)
          released.push(commit.userId)
        }
      }
      options.onReplayed(commits)
      await durably('release', (marks) => marks.release(released, upTo))
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
    /** Keeps these commits (at once: `size()` counts them) and resolves once they are marked durably. */
    add(commits: readonly CartCommit[]): Promise<void> {
      const kept: string[] = []
      for (const commit of commits) {
        const earlier = waiting.get(commit.userId)
        if (!earlier && waiting.size >= options.maxUsers) {
          options.onDropped(commit)
          continue
        }
        waiting.set(commit.userId, mergeCommits(earlier, commit))
        kept.push(commit.userId)
      }
      schedule()
      const at = now()
      return durably('mark', (marks) => marks.mark(kept, at))
    },
    size: () => waiting.size,
    /** The commit time of the oldest commit waiting (undefined: none). */
    oldestCommittedAt(): number | undefined {
      let oldest: number | undefined
      for (const commit of waiting.values())
        if (oldest === undefined || commit.committedAt < oldest) oldest = commit.committedAt
      return oldest
    },
    /** One last try (at shutdown); what stays is left to persistence-worker, by its marks. */
    async close(): Promise<number> {
      if (timer) clearTimeout(timer)
      timer = undefined
      await flush()
      return waiting.size
    },
  }
}
export type PersistenceSpool = ReturnType<typeof createPersistenceSpool>
