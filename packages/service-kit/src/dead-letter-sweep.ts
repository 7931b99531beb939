import type { DeadLetterJob } from '@bookstore/events'
import type { Queue } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import { deadLetterIdOf } from './dead-letter'
import type { QueueJob } from './queue-worker-options'

export interface DeadLetterSweepOptions {
  target: Queue
  dlq: Queue<DeadLetterJob>
  /** Parks a job (dead-letter-parking.ts); throws when the DLQ could not take it. */
  park: (job: QueueJob, error: Error) => Promise<void>
  /** A job that failed less than this ago is left to the worker that failed it. */
  settleMs: number
  log: FastifyBaseLogger
  what: string
  pageSize?: number
}

/**
 * The failed set of a queue with a DLQ holds jobs whose parking has not happened (yet): the worker
 * died between the failure and the parking, the DLQ refused the entry, or BullMQ failed the job
 * itself without running it (it stalled more often than allowed: its workers died under it). Each
 * such job is parked now, with its alert and follow-up (SPEC P4); a job whose DLQ entry exists
 * leaves the failed set (the DLQ keeps everything of it), so what stays there is what still needs
 * parking, and an admin's discard is never undone. Oldest first, a page per run.
 */
export async function sweepFailedJobs(
  options: DeadLetterSweepOptions,
): Promise<{ parked: number; cleared: number }> {
  const { target, dlq, log, what } = options
  const jobs = await target.getJobs(['failed'], 0, (options.pageSize ?? 100) - 1, true)
  const now = Date.now()
  let parked = 0
  let cleared = 0
  for (const job of jobs) {
    if (job.finishedOn !== undefined && now - job.finishedOn < options.settleMs) continue
    if (!(await dlq.getJob(deadLetterIdOf(job)))) {
      try {
        await options.park(job, new Error(job.failedReason || `${what} failed`))
      } catch {
        continue // Logged by park; the next sweep tries again.
      }
      parked += 1
    }
    await job.remove().then(
      () => {
        cleared += 1
      },
      (error: unknown) => log.warn({ err: error, jobId: job.id }, `could not clear a parked ${what}`),
    )
  }
  return { parked, cleared }
}
