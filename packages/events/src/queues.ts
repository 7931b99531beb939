import { type Static, Type } from 'typebox'
import { UserId } from './ids'

/**
 * Queue names carry their own hash tag so that each BullMQ queue lives in one Redis Cluster slot
 * while different queues can spread over the cluster.
 */
export const queueNames = {
  cartPersistence: '{cart-persistence}',
  /** Parking lot: jobs that failed their last attempt wait here, with no worker, for an admin. */
  cartPersistenceDeadLetter: '{cart-persistence-dlq}',
} as const

/**
 * The persistence spool's durable half (SPEC P3, P5), a sorted set in the carts' Redis: member
 * `<cart-api instance>:<userId>`, score the time of that instance's newest spooled commit of the
 * cart. A cart-api whose queue is away marks its spooled carts here; it takes its marks out once
 * the commits are on the queue, and persistence-worker persists (and takes out) the marks left
 * idle, so commits spooled by an instance that died reach PostgreSQL within seconds. Its own hash
 * tag: the spool must not share the slot of the queue it stands in for.
 */
export const persistenceSpoolKey = (prefix: string) => `${prefix}:{cart-persistence-spool}`

/** Job names on `queueNames.cartPersistence`. */
export const cartPersistenceJobNames = {
  /** A `CartPersistJob`: apply these commits (write each cart if newer than PostgreSQL's). */
  persist: 'persist-carts',
  /** A `CartSyncJob`: write these users' whole carts from Redis, repairing any divergence. */
  sync: 'sync-carts',
} as const

/**
 * "The cart of this user reached this version at this time." A change carries no cart state: the
 * worker reads the newest state when it applies it, so a burst of changes to one cart collapses
 * into one database write, and a change that arrives late or twice can never write an old state
 * over a newer one (SPEC P2).
 */
export const CartCommit = Type.Object({
  userId: UserId,
  version: Type.Integer({ minimum: 1 }),
  committedAt: Type.Integer({ minimum: 0, description: 'When the change was committed in Redis (epoch ms)' }),
})
export type CartCommit = Static<typeof CartCommit>

export const MAX_COMMITS_PER_JOB = 500

/**
 * One persistence job carries the commits of one short window (at most one per cart): a BullMQ
 * add costs more than the cart change itself, so it is paid once per window, not once per change.
 */
export const CartPersistJob = Type.Object({
  commits: Type.Array(CartCommit, { minItems: 1, maxItems: MAX_COMMITS_PER_JOB }),
})
export type CartPersistJob = Static<typeof CartPersistJob>

/** Commits as persistence jobs of at most MAX_COMMITS_PER_JOB each, for `Queue.addBulk`. */
export function persistJobsOf(commits: readonly CartCommit[]) {
  const jobs: { name: typeof cartPersistenceJobNames.persist; data: CartPersistJob }[] = []
  for (let start = 0; start < commits.length; start += MAX_COMMITS_PER_JOB)
    jobs.push({
      name: cartPersistenceJobNames.persist,
      data: { commits: commits.slice(start, start + MAX_COMMITS_PER_JOB) },
    })
  return jobs
}

/**
 * "Make PostgreSQL hold exactly what Redis holds for these users." Enqueued after a job was
 * dead-lettered (SPEC P4), and by repairs (reconciliation). Unlike a commit it also rewrites a cart
 * whose stored version equals Redis' but whose rows differ.
 */
export const CartSyncJob = Type.Object({
  userIds: Type.Array(UserId, { minItems: 1, maxItems: MAX_COMMITS_PER_JOB }),
  reason: Type.String({ maxLength: 200 }),
})
export type CartSyncJob = Static<typeof CartSyncJob>

/** Full-cart syncs of these users, at most MAX_COMMITS_PER_JOB per job, for `Queue.addBulk`. */
export function syncJobsOf(userIds: readonly string[], reason: string) {
  const jobs: { name: typeof cartPersistenceJobNames.sync; data: CartSyncJob }[] = []
  for (let start = 0; start < userIds.length; start += MAX_COMMITS_PER_JOB)
    jobs.push({
      name: cartPersistenceJobNames.sync,
      data: { userIds: userIds.slice(start, start + MAX_COMMITS_PER_JOB), reason },
    })
  return jobs
}

/**
 * What the dead-letter queue keeps of a job that failed its last attempt: enough to look at it
 * and to replay it onto its own queue unchanged (SPEC P4).
 */
export const DeadLetterJob = Type.Object({
  queue: Type.String({ description: 'The queue the job came from' }),
  jobId: Type.String(),
  name: Type.String({ description: 'The job name on its own queue' }),
  data: Type.Unknown({ description: 'The job payload, as it was' }),
  failedReason: Type.String(),
  attemptsMade: Type.Integer({ minimum: 0 }),
  deadLetteredAt: Type.Integer({ minimum: 0, description: 'Epoch ms' }),
  userIds: Type.Array(Type.String(), {
    description: 'Users the job was about (for persistence jobs a full-cart sync was enqueued for them)',
  }),
})
export type DeadLetterJob = Static<typeof DeadLetterJob>

/** A parked job as the dead-letter routes answer it: its id in the DLQ and what was kept of it. */
export const DeadLetterView = Type.Object({ id: Type.String(), ...DeadLetterJob.properties })
export type DeadLetterView = Static<typeof DeadLetterView>

/** GET /admin/dead-letters of a worker (service-kit's routes; the web shop's admin pages read it). */
export const DeadLetterList = Type.Object({ total: Type.Integer(), jobs: Type.Array(DeadLetterView) })
export type DeadLetterList = Static<typeof DeadLetterList>

/**
 * The job options of every producer: `attempts` tries with exponential backoff from `backoffMs`;
 * a failed job is kept a week to be looked at. `keepCompletedSeconds`: keep done jobs that long
 * (their ids then deduplicate re-adds, as the catalog events' do), else drop them at once.
 */
export const retryingJobOptions = (attempts: number, backoffMs: number, keepCompletedSeconds?: number) => ({
  attempts,
  backoff: { type: 'exponential' as const, delay: backoffMs },
  removeOnComplete: keepCompletedSeconds === undefined ? true : { age: keepCompletedSeconds },
  removeOnFail: { age: 7 * 24 * 3600 },
})

/**
 * Worker options for how soon a job whose worker died (SIGKILL, lost host) is handed to another
 * worker: its lock expires after `timeoutMs` without renewal and the stalled check, run as often,
 * puts it back. A live worker renews the lock every `timeoutMs / 2`; a job taken over from a
 * worker that was only slow runs twice, which every job here tolerates (they are idempotent).
 */
export const stalledJobDetection = (timeoutMs: number) => ({
  lockDuration: timeoutMs,
  stalledInterval: timeoutMs,
})
