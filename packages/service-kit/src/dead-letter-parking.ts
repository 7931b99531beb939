import type { DeadLetterJob } from '@bookstore/events'
import { Queue } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { Registry } from 'prom-client'
import { deadLetter } from './dead-letter'
import type { DeadLetterPolicy, QueueJob } from './queue-worker-options'
import { createDeadLetterMetrics, type WorkerMetrics } from './worker-metrics'

export interface DeadLetterParkingOptions {
  connection: Redis
  prefix: string
  /** The worker's own queue: follow-up jobs go there. */
  target: Queue
  registry: Registry
  metricPrefix: string
  workerMetrics: WorkerMetrics
  jobLabel: (job: QueueJob) => string
  log: FastifyBaseLogger
  what: string
}

/**
 * A worker's dead-letter queue and what parking a job there does (SPEC P4, S3): the entry (under
 * the job's own DLQ id), `dead_lettered` and the alert counted, an error line with the policy's
 * `alert`, then the policy's follow-up jobs on the worker's own queue.
 */
export function deadLetterParking(policy: DeadLetterPolicy, options: DeadLetterParkingOptions) {
  const { target, workerMetrics, log, what } = options
  const dlq = new Queue<DeadLetterJob>(policy.queue, {
    connection: options.connection,
    prefix: options.prefix,
  })
  const { alerts } = createDeadLetterMetrics(options.registry, {
    prefix: options.metricPrefix,
    queue: target.name,
    deadLetterQueue: dlq.name,
    size: () => dlq.getWaitingCount(),
  })
  const reasonOf = policy.reasonOf ?? ((error: Error) => error.message)

  async function park(job: QueueJob, error: Error): Promise<void> {
    const entry = await deadLetter(dlq, job, reasonOf(error), { userIds: policy.userIdsOf?.(job.data) ?? [] })
    workerMetrics.jobs.inc({ job: options.jobLabel(job), result: 'dead_lettered' })
    alerts.inc()
    log.error(
      {
        alert: policy.alert,
        jobId: job.id,
        job: job.name,
        userIds: entry.userIds,
        attemptsMade: entry.attemptsMade,
        err: error,
      },
      `${what} dead-lettered after its last attempt`,
    )
    // Whether a parked follow-up gets a follow-up of its own is the policy's call (it sees the name).
    const followUps = policy.followUp?.(entry) ?? []
    if (followUps.length > 0) await target.addBulk(followUps)
  }

  return { dlq, park }
}
