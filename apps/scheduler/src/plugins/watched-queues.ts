import type { DeadLetterJob } from '@bookstore/events'
import type { Queue } from 'bullmq'
import { Gauge, type Registry } from 'prom-client'
import type { WatchedQueue } from '../domain/dead-letter-watch'

/** A dead-letter queue (a BullMQ queue with no worker) as the watch reads it. */
export const deadLetterQueue = (queue: Queue<DeadLetterJob>): WatchedQueue => ({
  name: queue.name,
  count: () => queue.getWaitingCount(),
  newest: async (start, end) =>
    (await queue.getJobs(['waiting'], start, end, false)).map((job) => ({
      id: String(job.id),
      name: job.data.name ?? job.name,
      at: job.data.deadLetteredAt ?? job.timestamp,
      reason: job.data.failedReason ?? '',
    })),
})

/** The failed set of a queue that has no DLQ of its own (its jobs stay there when they give up). */
export const failedSet = (queue: Queue): WatchedQueue => ({
  name: `${queue.name} failed`,
  count: () => queue.getFailedCount(),
  newest: async (start, end) =>
    (await queue.getJobs(['failed'], start, end, false)).map((job) => ({
      id: String(job.id),
      name: job.name,
      at: job.finishedOn ?? job.timestamp,
      reason: job.failedReason ?? '',
    })),
})

/** `dead_letter_jobs{queue}`: the size of each watched place, read at scrape time (SPEC E2, S3). */
export function registerDeadLetterGauge(registry: Registry, watched: readonly WatchedQueue[]) {
  new Gauge({
    name: 'dead_letter_jobs',
    help: 'Jobs parked in each dead-letter queue (or failed for good), read at scrape time',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const queue of watched)
        await queue.count().then(
          (count) => this.set({ queue: queue.name }, count),
          () => {}, // Redis away: the scrape still answers.
        )
    },
  })
}
