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
