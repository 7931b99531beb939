import { type DeadLetterJob, stalledJobDetection } from '@bookstore/events'
import { DelayedError, type Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { deadLetter, failAttempt } from './dead-letter'
import { DeadLetterPlaces } from './dead-letter-places'
import { registerQueueDepthMetric } from './queue-depth-metric'
import { bindQueueLifecycle } from './queue-lifecycle'
import { createPatientRedis } from './redis-plugin'
import { createDeadLetterMetrics, createWorkerMetrics } from './worker-metrics'

export { type DeadLetterPlace, DeadLetterPlaces } from './dead-letter-places'
export { createDeadLetterMetrics, createWorkerMetrics, type WorkerMetrics } from './worker-metrics'

/** A job put on the worker's own queue after another was parked (a repair, e.g. a full-cart sync). */
export interface FollowUpJob {
  name: string
  data: unknown
  opts?: JobsOptions
}

/** Where a job that failed its last attempt (or can never succeed) is parked, and what that sets off. */
export interface DeadLetterPolicy {
  /** The dead-letter queue, e.g. `{email-dlq}`: a queue no worker reads, kept until an admin acts. */
  queue: string
  /** The `alert` field of the error line written when a job is parked, e.g. `email-dead-letter`. */
  alert: string
  /** The users a payload is about, valid or not (a poison job may be half-broken). */
  userIdsOf?: (data: unknown) => string[]
  /** What the entry keeps as the failure (default: the error's message). */
  reasonOf?: (error: Error) => string
  /** Jobs for the worker's own queue once a job is parked (none by default). */
  followUp?: (entry: DeadLetterJob) => FollowUpJob[]
}

/** A failure that means a dependency is away (PostgreSQL down), not that the job is wrong. */
export interface DependencyWait {
  isUnavailable: (error: unknown) => boolean
  /** Longest pause before the next try; pauses double from 200 ms and reset on the next success. */
  maxPauseMs: number
  /** The `result` label of such a try, e.g. `waiting_for_database`. */
  result: string
  /** The warning logged for each such try. */
  message: string
}

export interface QueueWorkerParts {
  /** The queue the worker consumes (a processor may add to it, e.g. a second pass). */
  target: Queue
  /** The job's lock token. */
  token?: string
}

/** A job as the worker gets it: its data is whatever a producer put there, to be checked. */
export type QueueJob = Job<unknown, unknown>

/** Where and how fast a worker runs: the same settings in every worker app, from its config. */
export interface QueueWorkerSettings {
  redisUrl: string
  /** Prefix of BullMQ keys. */
  prefix: string
  /** Jobs worked on at once. */
  concurrency: number
  /** How long the job of a dead worker waits before another takes it over. */
  stalledJobTimeoutMs: number
}

/** The settings from an app's validated config (`REDIS_URL`, `QUEUE_PREFIX`, `STALLED_JOB_TIMEOUT_MS`). */
export const queueWorkerSettings = (
  config: { REDIS_URL: string; QUEUE_PREFIX: string; STALLED_JOB_TIMEOUT_MS: number },
  concurrency: number,
): QueueWorkerSettings => ({
  redisUrl: config.REDIS_URL,
  prefix: config.QUEUE_PREFIX,
  concurrency,
  stalledJobTimeoutMs: config.STALLED_JOB_TIMEOUT_MS,
})

export interface QueueWorkerOptions extends QueueWorkerSettings {
  /** Names the worker: its Redis connections and `app.deadLetters.of(name)`. */
  name: string
  /** The queue consumed, e.g. `{email}`. */
  queue: string
  /** Default options of the jobs this app adds to that queue itself (replays, follow-ups): their retry policy. */
  jobOptions?: JobsOptions
  /** What a job is, for the log lines: `e-mail job`. */
  what: string
  /** Starts the names of the worker's metrics: `email` gives `email_jobs_total`, ... */
  metricPrefix: string
  /** The `job` label of those metrics (default: the job's name). Keep it a small set. */
  jobLabel?: (job: QueueJob) => string
  /** What one job does; what it returns is kept as the job's result. */
  process: (job: QueueJob, parts: QueueWorkerParts) => Promise<unknown>
  /** Failures retrying cannot fix, parked at once (BullMQ's UnrecoverableError always is one). */
  isPermanent?: (error: unknown) => boolean
  /** Without one, a job that fails its last attempt stays in the queue's failed set. */
  deadLetter?: DeadLetterPolicy
  /** Failures that wait (delayed, with growing pauses) without spending an attempt: a worker outlasts an outage. */
  waitFor?: DependencyWait
  /** Called on every failed attempt, for a worker's own metrics. */
  onFailedAttempt?: (job: QueueJob, error: Error) => void
  /** More Redis connections and queues the processor uses, closed after the worker with the kit's own. */
  closes?: { connections?: readonly Redis[]; queues?: readonly Queue[] }
  /** The readiness check's name (default `redis`; workers on one Redis may share it), or false for none. */
  readiness?: string | false
}

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)))

/**
 * One BullMQ worker and everything around it (SPEC P4, S3, E2, E4): the consumed queue and its
 * dead-letter queue on a patient Redis connection (commands wait out an outage), the worker on its
 * own, metrics, readiness, start on ready and graceful close (bindQueueLifecycle). A failed attempt
 * is retried with the job's backoff; the last one, or a permanent failure, parks the job from inside
 * the attempt (failAttempt), counts an alert, writes an error line with `alert` and adds the policy's
 * follow-up jobs. The app supplies `process`: what a job does.
 */
async function queueWorkerPlugin(app: FastifyInstance, options: QueueWorkerOptions) {
  const { name, prefix, what, deadLetter: policy, waitFor } = options
  const producer = createPatientRedis(options.redisUrl, `${name}-producer`)
  const workerConnection = createPatientRedis(options.redisUrl, `${name}-worker`)
  const target = new Queue(options.queue, {
    connection: producer,
    prefix,
    ...(options.jobOptions && { defaultJobOptions: options.jobOptions }),
  })
  const dlq = policy && new Queue<DeadLetterJob>(policy.queue, { connection: producer, prefix })

  const metrics = createWorkerMetrics(app.metrics, { prefix: options.metricPrefix, queue: options.queue })
  const deadLetterMetrics =
    dlq &&
    createDeadLetterMetrics(app.metrics, {
      prefix: options.metricPrefix,
      queue: options.queue,
      deadLetterQueue: dlq.name,
      size: () => dlq.getWaitingCount(),
    })
  registerQueueDepthMetric(app.metrics, dlq ? [target, dlq] : [target])
  const labelOf = options.jobLabel ?? ((job: QueueJob) => job.name)

  async function park(job: QueueJob, error: Error) {
    if (!policy || !dlq || !deadLetterMetrics) {
      app.log.error(
        { err: error, jobId: job.id, job: job.name, attemptsMade: job.attemptsMade + 1 },
        `${what} failed its last attempt; it stays in the failed set`,
      )
      return
    }
    const entry = await deadLetter(dlq, job, (policy.reasonOf ?? ((err: Error) => err.message))(error), {
      userIds: policy.userIdsOf?.(job.data) ?? [],
    })
    metrics.jobs.inc({ job: labelOf(job), result: 'dead_lettered' })
    deadLetterMetrics.alerts.inc()
    app.log.error(
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
    // A follow-up of a follow-up is the policy's call (it sees the entry's job name).
    const followUps = policy.followUp?.(entry) ?? []
    if (followUps.length > 0) await target.addBulk(followUps)
  }

  // Pauses while a dependency is away grow with each consecutive such failure, and reset on success.
  let unavailableStreak = 0
  const worker = new Worker<unknown, unknown>(
    options.queue,
    async (job, token) => {
      const label = labelOf(job)
      const stopTimer = metrics.duration.startTimer({ job: label })
      const count = (result: string) => {
        stopTimer({ result })
        metrics.jobs.inc({ job: label, result })
      }
      try {
        const result = await options.process(job, { target, token })
        unavailableStreak = 0
        count('done')
        return result
      } catch (error) {
        const permanent = error instanceof UnrecoverableError || options.isPermanent?.(error) === true
        if (!permanent && waitFor?.isUnavailable(error)) {
          unavailableStreak += 1
          const pauseMs = Math.min(waitFor.maxPauseMs, 100 * 2 ** Math.min(unavailableStreak, 16))
          count(waitFor.result)
          app.log.warn({ jobId: job.id, pauseMs }, waitFor.message)
          await job.moveToDelayed(Date.now() + pauseMs, token)
          throw new DelayedError()
        }
        count('failed')
        const err = toError(error)
        options.onFailedAttempt?.(job, err)
        await failAttempt(job, err, { unrecoverable: permanent, park, log: app.log, what })
        // BullMQ must not retry a permanent failure either: it fails for good as it is parked.
        throw permanent && !(err instanceof UnrecoverableError) ? new UnrecoverableError(err.message) : err
      }
    },
    {
      connection: workerConnection,
      prefix,
      concurrency: options.concurrency,
      autorun: false,
      ...stalledJobDetection(options.stalledJobTimeoutMs),
    },
  )

  bindQueueLifecycle(app, {
    connections: [producer, workerConnection, ...(options.closes?.connections ?? [])],
    queues: [target, ...(dlq ? [dlq] : []), ...(options.closes?.queues ?? [])],
    workers: [worker],
  })
  if (dlq) {
    if (!app.hasDecorator('deadLetters')) app.decorate('deadLetters', new DeadLetterPlaces())
    app.deadLetters.add(name, { dlq, target })
  }
  if (options.readiness !== false) app.addReadinessCheck(options.readiness ?? 'redis', () => producer.ping())
}

/**
 * The queue-worker kit as a plugin: register it once per worker, with `process` and its options;
 * an app may hold several (each its own name).
 */
export const queueWorker = fp(queueWorkerPlugin, {
  name: 'queue-worker',
  dependencies: ['metrics', 'health'],
})
