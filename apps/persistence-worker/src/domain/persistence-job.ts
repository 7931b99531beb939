import { CartPersistJob, CartSyncJob, cartPersistenceJobNames } from '@bookstore/events'
import { Check } from 'typebox/value'
import type { ApplyMode } from './apply-carts'
import { lagsOf, type PersistOutcome, throwIfNotPersisted } from './persist-carts'

/** A job no retry can fix (a payload that is not a persistence job): parked at once. */
export class InvalidPersistenceJobError extends Error {
  override name = 'InvalidPersistenceJobError'
}

export interface PersistenceJobDeps {
  /** Writes the newest carts of these users (with other jobs' carts: write-batches.ts). */
  persist: (userIds: readonly string[], mode: ApplyMode) => Promise<PersistOutcome>
  now?: () => number
}

export interface PersistenceJobRun {
  /** The commits a persist job carried (0 for a sync). */
  commits: number
  /** For each commit whose cart this job made durable: now minus its commit time (ms). */
  lagsMs: number[]
}

/**
 * One job of `{cart-persistence}` (SPEC P1, P2, P4): `persist-carts` writes the newest cart of
 * each commit's user when it is newer than PostgreSQL's; `sync-carts` also rewrites a cart at the
 * same version whose rows differ. Throws what the write throws (PostgreSQL away),
 * CartsNotPersistedError naming this job's carts that could not be written, and
 * InvalidPersistenceJobError for anything that is not such a job.
 */
export async function runPersistenceJob(
  deps: PersistenceJobDeps,
  job: { name: string; data: unknown },
): Promise<PersistenceJobRun> {
  if (job.name === cartPersistenceJobNames.persist) {
    if (!Check(CartPersistJob, job.data))
      throw new InvalidPersistenceJobError('invalid persist-carts payload')
    const { commits } = job.data
    const userIds = commits.map((commit) => commit.userId)
    const outcome = await deps.persist(userIds, 'newer')
    throwIfNotPersisted(outcome, userIds)
    const now = (deps.now ?? Date.now)()
    return { commits: commits.length, lagsMs: lagsOf(commits, outcome.written, now) }
  }
  if (job.name === cartPersistenceJobNames.sync) {
    if (!Check(CartSyncJob, job.data)) throw new InvalidPersistenceJobError('invalid sync-carts payload')
    const { userIds } = job.data
    throwIfNotPersisted(await deps.persist(userIds, 'sync'), userIds)
    return { commits: 0, lagsMs: [] }
  }
  throw new InvalidPersistenceJobError(`unknown job name ${job.name}`)
}
