import { type Static, Type } from 'typebox'
import { Check } from 'typebox/value'
import { BookId } from './ids'
import { bookKey } from './keys'

export const BookStatus = Type.Union([Type.Literal('active'), Type.Literal('deleted')])

/** What cart-api needs to know about a book; book-api owns it and writes it on every change. */
export const BookReadModel = Type.Object({
  bookId: BookId,
  title: Type.String({ minLength: 1, maxLength: 500 }),
  priceCents: Type.Integer({ minimum: 0 }),
  stock: Type.Integer({ minimum: 0 }),
  status: BookStatus,
  updatedAt: Type.Integer({ minimum: 0, description: 'Unix epoch milliseconds' }),
})
export type BookReadModel = Static<typeof BookReadModel>

/** The few Redis commands the read-model helpers need, so they work with ioredis and Cluster alike. */
export interface HashStore {
  hset(key: string, fields: Record<string, string | number>): Promise<unknown>
  hgetall(key: string): Promise<Record<string, string>>
}

export async function writeBookReadModel(redis: HashStore, book: BookReadModel): Promise<void> {
  const { bookId } = book
  if (!Check(BookReadModel, book)) throw new TypeError(`invalid book read model for ${bookId}`)
  await redis.hset(bookKey(book.bookId), { ...book })
}

/** Returns the book, or undefined when it is unknown (or the stored hash is not a valid read model). */
export async function readBookReadModel(
  redis: HashStore,
  bookId: string,
): Promise<BookReadModel | undefined> {
  const raw = await redis.hgetall(bookKey(bookId))
  if (raw.bookId === undefined) return undefined
  const book = {
    bookId: raw.bookId,
    title: raw.title,
    priceCents: Number(raw.priceCents),
    stock: Number(raw.stock),
    status: raw.status,
    updatedAt: Number(raw.updatedAt),
  }
  return Check(BookReadModel, book) ? book : undefined
}
