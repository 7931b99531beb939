import { type BookReadModel, writeBookReadModel } from '@bookstore/events'
import { Redis } from 'ioredis'

const catalog: Array<[title: string, priceCents: number, stock: number]> = [
  ['The Pragmatic Programmer', 3999, 50],
  ['Designing Data-Intensive Applications', 4599, 40],
  ['Clean Code', 3499, 35],
  ['Refactoring', 4299, 25],
  ['Domain-Driven Design', 5499, 20],
  ['Structure and Interpretation of Computer Programs', 5999, 15],
  ['The Mythical Man-Month', 2799, 30],
  ['Code Complete', 4499, 30],
  ['Release It!', 3799, 45],
  ['Site Reliability Engineering', 4199, 25],
  ['Working Effectively with Legacy Code', 4899, 10],
  ['Dune', 1099, 100],
]

/** book-0001 ... book-0012: stable ids, so sample requests and saved carts keep working across restarts. */
export const seedBookIds = catalog.map((_, index) => `book-${String(index + 1).padStart(4, '0')}`)

/**
 * Writes the sample catalog into the book read model, the way book-api will once it exists. Runs on
 * every start, which resets price and stock of these books to the values above.
 */
export async function seedBooks(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
  try {
    const updatedAt = Date.now()
    for (const [index, [title, priceCents, stock]] of catalog.entries()) {
      const book: BookReadModel = {
        bookId: seedBookIds[index]!,
        title,
        priceCents,
        stock,
        status: 'active',
        updatedAt,
      }
      await writeBookReadModel(redis, book)
    }
    return catalog.length
  } finally {
    await redis.quit()
  }
}
