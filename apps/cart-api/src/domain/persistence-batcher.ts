import type { CartPersistJob } from '@bookstore/events'

export interface PersistenceBatcherOptions {
  addBulk: (jobs: CartPersistJob[]) => Promise<unknown>
  onError: (error: unknown, jobs: CartPersistJob[]) => void
}

/**
 * Collects the persistence jobs of one event-loop turn and enqueues them in one round trip.
 * Several changes to one cart in the same batch become one job (the newest version, the oldest
 * commit time, so persistence lag is measured from the first change it carries).
 *
 * A failed enqueue does not fail the request: the change is already committed in Redis, and the
 * error is reported so that it is counted and repaired (SPEC P5).
 */
export function createPersistenceBatcher(options: PersistenceBatcherOptions) {
  let pending: Map<string, CartPersistJob> | undefined
  let flushed: Promise<void> = Promise.resolve()

  async function flush(jobs: CartPersistJob[]) {
    try {
      await options.addBulk(jobs)
    } catch (error) {
      options.onError(error, jobs)
    }
  }

  return {
    /** Resolves once the job is in the queue (or the enqueue failed and was reported). */
    enqueue(job: CartPersistJob): Promise<void> {
      if (!pending) {
        const batch = new Map<string, CartPersistJob>()
        pending = batch
        flushed = new Promise<void>((resolve) =>
          setImmediate(() => {
            pending = undefined
            void flush([...batch.values()]).then(resolve)
          }),
        )
      }
      const earlier = pending.get(job.userId)
      pending.set(
        job.userId,
        earlier
          ? {
              userId: job.userId,
              version: Math.max(earlier.version, job.version),
              committedAt: Math.min(earlier.committedAt, job.committedAt),
            }
          : job,
      )
      return flushed
    },
    /** Waits for the batch in flight, so shutdown does not drop it. */
    drain: () => flushed,
  }
}
export type PersistenceBatcher = ReturnType<typeof createPersistenceBatcher>
