import { generateTestKeys, seedBook, signTestToken } from '@bookstore/test-kit'
import type { Redis } from 'ioredis'
import { benchBook } from '../bench-settings'
import { addItemPairs } from './calibration'

/** The ids of a run's users and books: every key the bench writes carries the run id. */
export const runIds = (runId: string) => ({
  userId: (index: number) => `${runId}-user-${index}`,
  bookId: (index: number) => `${runId}-book-${index}`,
})

/**
 * The data of an add-item load (bench:cart, bench:gateway, bench:overload): the books in the read
 * model, a signed token per user and the (user, book) pairs to pick requests from, each with its
 * Authorization header and cart-api body.
 */
export async function prepareAddItemLoad(
  redis: Redis,
  runId: string,
  shape: { users: number; books: number; booksPerCart: number },
) {
  const { userId, bookId } = runIds(runId)
  await Promise.all(
    Array.from({ length: shape.books }, (_, index) =>
      seedBook(redis, { bookId: bookId(index), ...benchBook }),
    ),
  )
  const keys = generateTestKeys()
  const tokens = await Promise.all(
    Array.from({ length: shape.users }, (_, index) =>
      signTestToken(keys.privateKey, userId(index), { expiresIn: 24 * 3600 }),
    ),
  )
  const pairs = addItemPairs(userId, bookId, shape).map((pair) => ({
    ...pair,
    authorization: `Bearer ${tokens[pair.user]}`,
    body: JSON.stringify({ bookId: pair.bookId, quantity: 1 }),
  }))
  return { keys, tokens, pairs, bookId }
}
