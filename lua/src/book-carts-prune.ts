import { bookCartsKey } from '@bookstore/events'
import type { RedisClient, ScriptCall } from './redis-script'
import { pruneSortedSet, sortedSetPruneCall, sortedSetPruneScript } from './sorted-set-prune'

/** scripts/sorted-set-prune.lua on a book's cart index. */
export const bookCartsPruneScript = sortedSetPruneScript

/** Users leave a book's cart index, if their last add is old enough. */
export interface PruneBookCartsInput {
  bookId: string
  /** The highest last-add time (epoch ms) a member may have to be removed. */
  maxScore: number
  /** Users whose cart was seen without the book. */
  userIds: readonly string[]
}

export const pruneBookCartsCall = ({ bookId, maxScore, userIds }: PruneBookCartsInput): ScriptCall =>
  sortedSetPruneCall(bookCartsKey(bookId), maxScore, userIds)

/** Returns how many members were removed. */
export const pruneBookCarts = (redis: RedisClient, input: PruneBookCartsInput): Promise<number> =>
  pruneSortedSet(redis, bookCartsKey(input.bookId), input.maxScore, input.userIds)
