import { bookCartsKey } from '@bookstore/events'
import { type RedisClient, RedisScript, type ScriptCall } from './redis-script'

export const bookCartsPruneScript = RedisScript.fromFile('book-carts-prune.lua', 1)

/** scripts/book-carts-prune.lua: users leave a book's cart index, if their last add is old enough. */
export interface PruneBookCartsInput {
  bookId: string
  /** The highest last-add time (epoch ms) a member may have to be removed. */
  maxScore: number
  /** Users whose cart was seen without the book. */
  userIds: readonly string[]
}

/** KEYS[1] and ARGV[1], then ARGV[2..] the users. */
type PruneKeys = [bookCarts: string]
type PruneArgv = [maxScore: number, ...userIds: string[]]

export function pruneBookCartsCall({ bookId, maxScore, userIds }: PruneBookCartsInput): ScriptCall {
  const keys: PruneKeys = [bookCartsKey(bookId)]
  const argv: PruneArgv = [maxScore, ...userIds]
  return { keys, args: argv }
}

/** Returns how many members were removed. */
export async function pruneBookCarts(redis: RedisClient, input: PruneBookCartsInput): Promise<number> {
  const { keys, args } = pruneBookCartsCall(input)
  return Number(await bookCartsPruneScript.run(redis, keys, args))
}
