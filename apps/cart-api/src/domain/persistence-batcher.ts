import { type CartCommit, MAX_COMMITS_PER_JOB } from '@bookstore/events'
import { mergeCommits } from './merge-commits'

export interface PersistenceBatcherOptions {
  /** Enqueues one persistence job holding these commits. */
  enqueue: (commits: CartCommit[]) => Promise<unknown>
  onError: (error: unknown, commits: CartCommit[]) => void
  maxCommits?: number
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
 * and in the queue. A failed enqueue does not fail the request: the change is committed in Redis
 * already; the error is reported so that it is counted and repaired (SPEC P5).
 */
export function createPersistenceBatcher(options: PersistenceBatcherOptions) {
  const maxCommits = Math.min(options.maxCommits ?? MAX_COMMITS_PER_JOB, MAX_COMMITS_PER_JOB)
  let pending: Batch | undefined
  let scheduled = false
  const inFlight = new Set<Promise<void>>()

  function send() {
    scheduled = false
    const batch = pending
    if (!batch) return
    pending = undefined
    const commits = [...batch.commits.values()]
    const sent = options
      .enqueue(commits)
      .then(
        () => {},
        (error: unknown) => options.onError(error, commits),
      )
      .finally(() => {
        inFlight.delete(sent)
        batch.release()
        if (pending && inFlight.size === 0) send()
      })
    inFlight.add(sent)
  }

  return {
    /** Resolves once the commit's job is in the queue (or the enqueue failed and was reported). */
    add(commit: CartCommit): Promise<void> {
      pending ??= newBatch()
      const { commits, done } = pending
      const earlier = commits.get(commit.userId)
      commits.set(commit.userId, mergeCommits(earlier, commit))
      if (commits.size >= maxCommits) send()
      else if (inFlight.size === 0 && !scheduled) {
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
