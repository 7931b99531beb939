import { type DeadLetterJob, isValidId } from '@bookstore/events'
import type { Job, Queue } from 'bullmq'

/** The id a dead-lettered job gets in the DLQ: the same failed job is parked once, however often the move is tried. */
export const deadLetterIdOf = (job: Pick<Job, 'id' | 'queueName'>) =>
  `dead-${job.queueName.replace(/[{}:]/g, '')}-${job.id}`

/** The user ids a job payload names, valid or not as a payload (a poison job may be half-broken). */
export function userIdsOf(data: unknown): string[] {
  const ids = new Set<string>()
  const record = data as { commits?: unknown; userIds?: unknown } | null
  if (record && Array.isArray(record.commits))
    for (const commit of record.commits) {
      const userId = (commit as { userId?: unknown } | null)?.userId
      if (typeof userId === 'string' && isValidId(userId)) ids.add(userId)
    }
  if (record && Array.isArray(record.userIds))
    for (const userId of record.userIds) if (typeof userId === 'string' && isValidId(userId)) ids.add(userId)
  return [...ids]
}

/** Parks a job that failed its last attempt: it is kept, never retried by itself (SPEC P4). */
export async function deadLetter(dlq: Queue<DeadLetterJob>, job: Job, reason: string, now = Date.now()) {
  const entry: DeadLetterJob = {
    queue: job.queueName,
    jobId: String(job.id),
    name: job.name,
    data: job.data,
    failedReason: reason.slice(0, 2000),
    attemptsMade: job.attemptsMade + 1,
    deadLetteredAt: now,
    userIds: userIdsOf(job.data),
  }
  await dlq.add(job.name, entry, { jobId: deadLetterIdOf(job) })
  return entry
}

export interface DeadLetterView extends DeadLetterJob {
  id: string
}

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
  const replayed = await target.add(job.data.name, job.data.data)
  await job.remove()
  return { replayedAs: String(replayed.id) }
}

/** Drops a parked job for good. Returns false when there was none. */
export async function discardDeadLetter(dlq: Queue<DeadLetterJob>, id: string): Promise<boolean> {
  const job = await dlq.getJob(id)
  if (!job) return false
  await job.remove()
  return true
}
