import type { DeadLetterJob } from '@bookstore/events'
import type { Job, JobsOptions, Queue } from 'bullmq'
import type { RedisClient } from './redis-client'

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
  /**
   * How often the failed set is swept for jobs that failed for good without being parked (a DLQ
   * that refused the entry, a job that stalled too often); default 30 s. Workers with a DLQ only.
   */
  deadLetterSweepMs?: number
}

/** The settings from an app's validated config (`REDIS_URL`, `QUEUE_PREFIX`, `STALLED_JOB_TIMEOUT_MS`, `DEAD_LETTER_SWEEP_MS`). */
export const queueWorkerSettings = (
  config: {
    REDIS_URL: string
    QUEUE_PREFIX: string
    STALLED_JOB_TIMEOUT_MS: number
    DEAD_LETTER_SWEEP_MS: number
  },
  concurrency: number,
): QueueWorkerSettings => ({
  redisUrl: config.REDIS_URL,
  prefix: config.QUEUE_PREFIX,
  concurrency,
  stalledJobTimeoutMs: config.STALLED_JOB_TIMEOUT_MS,
  deadLetterSweepMs: config.DEAD_LETTER_SWEEP_MS,
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
  closes?: { connections?: readonly RedisClient[]; queues?: readonly Queue[] }
  /** The readiness check's name (default `redis`; workers on one Redis may share it), or false for none. */
  readiness?: string | false
}
