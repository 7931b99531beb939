import type { books } from '@bookstore/db'
import type { Book, BookReadModel, CatalogBookState } from '@bookstore/events'

export type BookRow = typeof books.$inferSelect

/** A book as the API returns it: the routes' response schema (events' `Book`), the type of `toBookView`. */
export type BookView = Book

export const toBookView = (row: BookRow, categories: string[]): BookView => ({
  id: row.id,
  title: row.title,
  author: row.author,
  description: row.description,
  priceCents: row.priceCents,
  stock: row.stock,
  publishedOn: row.publishedOn,
  categories,
  version: row.version,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

/** What carts depend on: the state a catalog event carries. */
export const catalogState = (row: BookRow): CatalogBookState => ({
  title: row.title,
  priceCents: row.priceCents,
  stock: row.stock,
  status: row.deletedAt ? 'deleted' : 'active',
})

export const toReadModel = (row: BookRow): BookReadModel => ({
  bookId: row.id,
  ...catalogState(row),
  updatedAt: row.updatedAt.getTime(),
})
