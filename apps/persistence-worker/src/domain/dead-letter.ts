import { type DeadLetterJob, isValidId } from '@bookstore/events'
import { deadLetter as parkJob } from '@bookstore/service-kit/dead-letter'
import type { Job, Queue } from 'bullmq'

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

/**
 * Parks a persistence job with the shared helper (SPEC P4), naming the carts it was about: the
 * worker enqueues a full-cart sync for them.
 */
export const deadLetter = (dlq: Queue<DeadLetterJob>, job: Job, reason: string, now = Date.now()) =>
  parkJob(dlq, job, reason, { userIds: userIdsOf(job.data), now })
