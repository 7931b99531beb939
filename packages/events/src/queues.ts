import { type Static, Type } from 'typebox'
import { UserId } from './ids'

/**
 * Queue names carry their own hash tag so that each BullMQ queue lives in one Redis Cluster slot
 * while different queues can spread over the cluster.
 */
export const queueNames = {
  cartPersistence: '{cart-persistence}',
} as const

/**
 * "The cart of this user reached this version at this time." The job carries no cart state: the
 * worker reads the newest state when it applies the job, so a burst of changes to one cart
 * collapses into one database write, and a job that arrives late or twice can never write an old
 * state over a newer one (SPEC P2).
 */
export const CartPersistJob = Type.Object({
  userId: UserId,
  version: Type.Integer({ minimum: 1 }),
  committedAt: Type.Integer({ minimum: 0, description: 'When the change was committed in Redis (epoch ms)' }),
})
export type CartPersistJob = Static<typeof CartPersistJob>

/** Deterministic job id: enqueueing the same change twice is a no-op in BullMQ. */
export const cartPersistJobId = (job: CartPersistJob) => `${job.userId}-v${job.version}`
