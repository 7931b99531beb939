import { cartPersistenceJobNames, type DeadLetterJob, isValidId, syncJobsOf } from '@bookstore/events'

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
 * What a parked persistence job sets off (SPEC P4): a full-cart sync of every user it names, so
 * their carts reach PostgreSQL once the cause is gone. A parked sync is not followed by another
 * (no loop): it waits in the DLQ for an admin.
 */
export function syncAfterDeadLetter(entry: DeadLetterJob) {
  if (entry.name === cartPersistenceJobNames.sync || entry.userIds.length === 0) return []
  return syncJobsOf(entry.userIds, `dead-lettered job ${entry.jobId}`)
}
