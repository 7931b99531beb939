import { CartPersistJob, CartSyncJob, cartPersistenceJobNames } from '@bookstore/events'
import { Check } from 'typebox/value'
import { lagsOf, type PersistDeps, type PersistOutcome, persistCarts } from './persist-carts'

/** A job no retry can fix (a payload that is not a persistence job): parked at once. */
export class InvalidPersistenceJobError extends Error {
  override name = 'InvalidPersistenceJobError'
}

export interface PersistenceJobRun {
  outcome: PersistOutcome
  /** The commits a persist job carried (0 for a sync). */
  commits: number
  /** For each commit whose cart this job made durable: now minus its commit time (ms). */
  lagsMs: number[]
}

/**
 * One job of `{cart-persistence}` (SPEC P1, P2, P4): `persist-carts` writes the newest cart of
 * each commit's user when it is newer than PostgreSQL's; `sync-carts` also rewrites a cart at the
 * same version whose rows differ. Throws what persistCarts throws (PostgreSQL away, carts that
 * could not be written) and InvalidPersistenceJobError for anything that is not such a job.
 */
export async function runPersistenceJob(
  deps: PersistDeps,
  job: { name: string; data: unknown },
): Promise<PersistenceJobRun> {
  if (job.name === cartPersistenceJobNames.persist) {
    if (!Check(CartPersistJob, job.data))
      throw new InvalidPersistenceJobError('invalid persist-carts payload')
    const { commits } = job.data
    const outcome = await persistCarts(
      deps,
      commits.map((commit) => commit.userId),
      'newer',
    )
    const now = (deps.now ?? Date.now)()
    return { outcome, commits: commits.length, lagsMs: lagsOf(commits, outcome.written, now) }
  }
  if (job.name === cartPersistenceJobNames.sync) {
    if (!Check(CartSyncJob, job.data)) throw new InvalidPersistenceJobError('invalid sync-carts payload')
    return { outcome: await persistCarts(deps, job.data.userIds, 'sync'), commits: 0, lagsMs: [] }
  }
  throw new InvalidPersistenceJobError(`unknown job name ${job.name}`)
}
