import { type BookReadModel, type HashStore, readBookReadModel } from '@bookstore/events'

/**
 * Reads books from the read model that book-api keeps in Redis (SPEC B2), remembering each for a
 * short time: the book key lives in another Cluster slot than the cart, so it cannot be read
 * inside the cart script, and reading it on every add would double the Redis round trips. A
 * price that is a second old is harmless here: catalog changes are pushed into carts anyway.
 * Unknown books are never remembered, so a book created a moment ago can be added at once.
 */
export function createBookLookup(redis: HashStore, options: { ttlMs: number; maxEntries?: number }) {
  const maxEntries = options.maxEntries ?? 50_000
  const cache = new Map<string, { book: BookReadModel; expiresAt: number }>()

  return async function findBook(bookId: string): Promise<BookReadModel | undefined> {
    const now = Date.now()
    const hit = cache.get(bookId)
    if (hit && hit.expiresAt > now) return hit.book
    const book = await readBookReadModel(redis, bookId)
    if (book && options.ttlMs > 0) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string)
      cache.set(bookId, { book, expiresAt: now + options.ttlMs })
    }
    return book
  }
}
export type BookLookup = ReturnType<typeof createBookLookup>
