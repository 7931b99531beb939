import type { DeadLetterJob, DeadLetterView } from '@bookstore/events'
import type { Job, Queue } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'

/** The id a dead-lettered job gets in the DLQ: the same failed job is parked once, however often the move is tried. */
export const deadLetterIdOf = (job: Pick<Job, 'id' | 'queueName'>) =>
  `dead-${job.queueName.replace(/[{}:]/g, '')}-${job.id}`

export interface DeadLetterOptions {
  /** The users the job was about (each worker knows where its payload names them). */
  userIds?: string[]
  now?: number
}

/**
 * Parks a job that failed its last attempt (or can never succeed): it is kept in the DLQ, never
 * retried by itself, until an admin replays or discards it (SPEC P4, S3). Call it from inside the
 * last attempt, under the job's lock: a worker that dies right after retries the job and parks it
 * again under the same DLQ id, so nothing is parked twice and nothing is lost.
 */
export async function deadLetter(
  dlq: Queue<DeadLetterJob>,
  job: Job,
  reason: string,
  options: DeadLetterOptions = {},
): Promise<DeadLetterJob> {
  const entry = deadLetterEntry(job, reason, options)
  await dlq.add(job.name, entry, { jobId: deadLetterIdOf(job) })
  return entry
}

/** What the DLQ keeps of a job (deadLetter adds it). */
export const deadLetterEntry = (
  job: Job,
  reason: string,
  options: DeadLetterOptions = {},
): DeadLetterJob => ({
  queue: job.queueName,
  jobId: String(job.id),
  name: job.name,
  data: job.data,
  failedReason: reason.slice(0, 2000),
  attemptsMade: job.attemptsMade + 1,
  deadLetteredAt: options.now ?? Date.now(),
  userIds: options.userIds ?? [],
})

const view = (job: Job<DeadLetterJob>): DeadLetterView => ({ id: String(job.id), ...job.data })

/** The parked jobs, oldest first. */
export async function listDeadLetters(dlq: Queue<DeadLetterJob>, offset: number, limit: number) {
  const [jobs, total] = await Promise.all([
    dlq.getJobs(['waiting'], offset, offset + limit - 1, true),
    dlq.getWaitingCount(),
  ])
  return { total, jobs: jobs.map((job) => view(job as Job<DeadLetterJob>)) }
}

/**
 * The parked job's original, still in its queue's failed set until the dead-letter sweep clears it
 * (dead-letter-sweep.ts): it goes first, so that a sweep after the admin's replay or discard finds
 * no failed job without a DLQ entry, which it would park again.
 */
async function removeOriginal(target: Queue, entry: Job<DeadLetterJob>) {
  const original = await target.getJob(entry.data.jobId)
  if (original && (await original.isFailed())) await original.remove()
}

/**
 * Puts a parked job back on its own queue, unchanged, with that queue's retry policy, and takes it
 * out of the DLQ. Returns the new job's id, or undefined when no such parked job exists.
 */
export async function replayDeadLetter(
  dlq: Queue<DeadLetterJob>,
  target: Queue,
  id: string,
): Promise<{ replayedAs: string } | undefined> {
  const job = (await dlq.getJob(id)) as Job<DeadLetterJob> | undefined
  if (!job) return undefined
  await removeOriginal(target, job)
  const replayed = await target.add(job.data.name, job.data.data)
  await job.remove()
  return { replayedAs: String(replayed.id) }
}

/** Drops a parked job for good. Returns false when there was none. */
export async function discardDeadLetter(
  dlq: Queue<DeadLetterJob>,
  target: Queue,
  id: string,
): Promise<boolean> {
  const job = (await dlq.getJob(id)) as Job<DeadLetterJob> | undefined
  if (!job) return false
  await removeOriginal(target, job)
  await job.remove()
  return true
}

export interface FailedAttemptOptions {
  /** The failure can never be retried away (BullMQ's UnrecoverableError): park at once. */
  unrecoverable: boolean
  /** Parks the job (DLQ, alert, and whatever follow-up the worker owes). */
  park: (job: Job, error: Error) => Promise<unknown>
  log: FastifyBaseLogger
  /** What the job is, for the log lines, e.g. `e-mail job`. */
  what: string
}

/**
 * A worker's failed attempt: on the last one (or an unrecoverable failure) the job is parked from
 * inside the attempt, under its lock, so a process that dies right after retries it and parks it
 * again under the same DLQ id (no duplicate, nothing lost); otherwise it is logged and BullMQ
 * retries it with its backoff. Returns the error the processor must throw.
 */
export async function failAttempt(job: Job, error: unknown, options: FailedAttemptOptions): Promise<Error> {
  const err = error instanceof Error ? error : new Error(String(error))
  const attempts = job.opts.attempts ?? 1
  if (options.unrecoverable || job.attemptsMade + 1 >= attempts)
    await options
      .park(job, err)
      .catch((parkError: unknown) =>
        options.log.error({ err: parkError, jobId: job.id }, `could not dead-letter a ${options.what}`),
      )
  else
    options.log.warn(
      { err, jobId: job.id, attempt: job.attemptsMade + 1, attempts },
      `${options.what} failed; it will retry`,
    )
  return err
}
