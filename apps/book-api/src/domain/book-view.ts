import type { books } from '@bookstore/db'
import { BookId, type BookReadModel, type CatalogBookState } from '@bookstore/events'
import { type Static, Type } from 'typebox'

export type BookRow = typeof books.$inferSelect

/** A book as the API returns it: the response schema of the routes, and the type of `toBookView`. */
export const Book = Type.Object({
  id: BookId,
  title: Type.String(),
  author: Type.String(),
  description: Type.String(),
  priceCents: Type.Integer(),
  stock: Type.Integer(),
  publishedOn: Type.Union([Type.String(), Type.Null()]),
  categories: Type.Array(Type.String()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type BookView = Static<typeof Book>

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
