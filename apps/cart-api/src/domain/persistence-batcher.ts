import { type CartCommit, MAX_COMMITS_PER_JOB } from '@bookstore/events'

export interface PersistenceBatcherOptions {
  /** Enqueues one persistence job holding these commits. */
  enqueue: (commits: CartCommit[]) => Promise<unknown>
  onError: (error: unknown, commits: CartCommit[]) => void
  /** How long the first commit of a batch waits for others (ms). */
  windowMs: number
  maxCommits?: number
}

/**
 * Gathers the commits of a short window into one persistence job. Several commits of one cart in
 * a window become one (the newest version, the oldest commit time, so persistence lag is measured
 * from the first change it carries).
 *
 * The caller waits for its batch to be enqueued, so an answered request has its change in Redis
 * and in the queue. A failed enqueue does not fail the request: the change is committed in Redis
 * already; the error is reported so that it is counted and repaired (SPEC P5).
 */
export function createPersistenceBatcher(options: PersistenceBatcherOptions) {
  const maxCommits = Math.min(options.maxCommits ?? MAX_COMMITS_PER_JOB, MAX_COMMITS_PER_JOB)
  let batch:
    | { commits: Map<string, CartCommit>; timer: NodeJS.Timeout; done: Promise<void>; release: () => void }
    | undefined
  const inFlight = new Set<Promise<void>>()

  function flush() {
    if (!batch) return
    const { commits, timer, release } = batch
    batch = undefined
    clearTimeout(timer)
    const list = [...commits.values()]
    const sent = options
      .enqueue(list)
      .then(
        () => {},
        (error: unknown) => options.onError(error, list),
      )
      .finally(release)
    inFlight.add(sent)
    void sent.finally(() => inFlight.delete(sent))
  }

  return {
    /** Resolves once the commit's job is in the queue (or the enqueue failed and was reported). */
    add(commit: CartCommit): Promise<void> {
      if (!batch) {
        let release = () => {}
        const done = new Promise<void>((resolve) => {
          release = resolve
        })
        batch = { commits: new Map(), timer: setTimeout(flush, options.windowMs), done, release }
      }
      const { commits, done } = batch
      const earlier = commits.get(commit.userId)
      commits.set(
        commit.userId,
        earlier
          ? {
              userId: commit.userId,
              version: Math.max(earlier.version, commit.version),
              committedAt: Math.min(earlier.committedAt, commit.committedAt),
            }
          : commit,
      )
      if (commits.size >= maxCommits) flush()
      return done
    },
    /** Sends what is waiting and waits for every batch in flight, so shutdown drops nothing. */
    async drain(): Promise<void> {
      flush()
      await Promise.all(inFlight)
    },
  }
}
export type PersistenceBatcher = ReturnType<typeof createPersistenceBatcher>
