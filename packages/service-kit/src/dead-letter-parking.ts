import type { DeadLetterJob } from '@bookstore/events'
import { Queue } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import type { Registry } from 'prom-client'
import { deadLetterEntry, deadLetterIdOf } from './dead-letter'
import type { DeadLetterPolicy, QueueJob } from './queue-worker-options'
import type { RedisClient } from './redis-client'
import { createDeadLetterMetrics, type WorkerMetrics } from './worker-metrics'

export interface DeadLetterParkingOptions {
  connection: RedisClient
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
 * the job's own DLQ id), the policy's follow-up jobs on the worker's own queue, then the alert
 * counted and an error line with the policy's `alert`. Each step is tried whatever became of the
 * one before: a DLQ that cannot be written still raises the alert and still sets off the repair
 * (the line says `parked: false`; the job stays in the failed set, where the dead-letter sweep
 * parks it once the DLQ takes it). `park` throws when the entry could not be added.
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
    const entry = deadLetterEntry(job, reasonOf(error), { userIds: policy.userIdsOf?.(job.data) ?? [] })
    const failed: { step: string; err: unknown }[] = []
    const attempt = async (step: string, run: () => Promise<unknown>) => {
      try {
        await run()
        return true
      } catch (stepError) {
        failed.push({ step, err: stepError })
        return false
      }
    }
    const parked = await attempt('dead-letter', () =>
      dlq.add(job.name, entry, { jobId: deadLetterIdOf(job) }),
    )
    // Whether a parked follow-up gets a follow-up of its own is the policy's call (it sees the name).
    const followUps = policy.followUp?.(entry) ?? []
    if (followUps.length > 0) await attempt('follow-up', () => target.addBulk(followUps))
    if (parked) workerMetrics.jobs.inc({ job: options.jobLabel(job), result: 'dead_lettered' })
    alerts.inc()
    log.error(
      {
        alert: policy.alert,
        jobId: job.id,
        job: job.name,
        userIds: entry.userIds,
        attemptsMade: entry.attemptsMade,
        parked,
        ...(failed.length > 0 && { failedSteps: failed.map((entry) => entry.step) }),
        err: error,
      },
      parked
        ? `${what} dead-lettered after its last attempt`
        : `${what} failed for good and could not be dead-lettered yet: it stays in the failed set`,
    )
    for (const { step, err } of failed) log.error({ err, jobId: job.id, step }, `could not ${step} a ${what}`)
    if (!parked) throw failed[0]?.err
  }

  return { dlq, park }
}
