import { type CartCommit, MAX_COMMITS_PER_JOB } from '@bookstore/events'
import { mergeCommits } from './merge-commits'

export interface PersistenceBatcherOptions {
  /** Enqueues one persistence job holding these commits. */
  enqueue: (commits: CartCommit[]) => Promise<unknown>
  /** A failed enqueue's commits (the caller waits for what this returns: spooling them). */
  onError: (error: unknown, commits: CartCommit[]) => unknown
  maxCommits?: number
  /**
   * Jobs being enqueued at once at most; a full batch that finds that many in flight goes to
   * `onOverflow` (the spool) instead of adding to the pile. Without `onOverflow`: no bound.
   */
  maxInFlight?: number
  onOverflow?: (commits: CartCommit[]) => unknown
}

interface Batch {
  commits: Map<string, CartCommit>
  done: Promise<void>
  release: () => void
}

function newBatch(): Batch {
  let release = () => {}
  const done = new Promise<void>((resolve) => {
    release = resolve
  })
  return { commits: new Map(), done, release }
}

/**
 * Group commit for persistence jobs: while one job is being enqueued, the commits that arrive
 * gather into the next one. At low load every commit goes out at once; under load one job carries
 * many (a BullMQ add costs more than the cart change itself). Several commits of one cart in a
 * batch become one: the newest version, the oldest commit time (persistence lag is measured from
 * the first change it carries).
 *
 * The caller waits for its batch to be enqueued, so an answered request has its change in Redis
 * and in the queue (or the spool). A failed enqueue does not fail the request: the change is
 * committed in Redis already; its commits go to `onError` (the spool, SPEC P5). Under overload the
 * adds in flight are bounded: a full batch that would pile onto them goes to the spool at once, so
 * a request never waits behind a growing line of queue adds.
 */
export function createPersistenceBatcher(options: PersistenceBatcherOptions) {
  const maxCommits = Math.min(options.maxCommits ?? MAX_COMMITS_PER_JOB, MAX_COMMITS_PER_JOB)
  const maxInFlight = options.onOverflow ? (options.maxInFlight ?? 4) : Number.POSITIVE_INFINITY
  let pending: Batch | undefined
  let scheduled = false
  const inFlight = new Set<Promise<void>>()

  /** Takes the waiting batch out, runs `settle` on its commits, then answers its callers. */
  function take(settle: (commits: CartCommit[]) => Promise<unknown>) {
    const batch = pending
    if (!batch) return
    pending = undefined
    const commits = [...batch.commits.values()]
    const settled = settle(commits)
      .then(
        () => {},
        () => {},
      )
      .finally(() => {
        inFlight.delete(settled)
        batch.release()
        if (pending && inFlight.size === 0) send()
      })
    inFlight.add(settled)
  }

  function send() {
    scheduled = false
    take((commits) =>
      options.enqueue(commits).then(
        () => {},
        (error: unknown) => options.onError(error, commits),
      ),
    )
  }

  function spill() {
    const overflow = options.onOverflow
    if (overflow) take(async (commits) => overflow(commits))
  }

  return {
    /** Resolves once the commit's job is in the queue (or its commits were handed to the spool). */
    add(commit: CartCommit): Promise<void> {
      pending ??= newBatch()
      const { commits, done } = pending
      const earlier = commits.get(commit.userId)
      commits.set(commit.userId, mergeCommits(earlier, commit))
      if (commits.size >= maxCommits) {
        if (inFlight.size < maxInFlight) send()
        else spill()
      } else if (inFlight.size === 0 && !scheduled) {
        // Wait for the rest of this event-loop turn: its commits join the same job.
        scheduled = true
        setImmediate(send)
      }
      return done
    },
    /** Sends what is waiting and waits for every job in flight, so shutdown drops nothing. */
    async drain(): Promise<void> {
      send()
      while (inFlight.size > 0) await Promise.all(inFlight)
    },
  }
}
export type PersistenceBatcher = ReturnType<typeof createPersistenceBatcher>
