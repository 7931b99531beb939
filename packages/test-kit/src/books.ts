import { type BookReadModel, type HashStore, writeBookReadModel } from '@bookstore/events'
import { uniqueId } from './ids'

/** Writes a book into the read model (as book-api will) and returns it. */
export async function seedBook(
  redis: HashStore,
  overrides: Partial<BookReadModel> = {},
): Promise<BookReadModel> {
  const book: BookReadModel = {
    bookId: uniqueId('book'),
    title: 'The Pragmatic Programmer',
    priceCents: 3999,
    stock: 50,
    status: 'active',
    updatedAt: Date.now(),
    ...overrides,
  }
  await writeBookReadModel(redis, book)
  return book
}
