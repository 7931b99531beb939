import type { books } from '@bookstore/db'
import type { BookReadModel, CatalogBookState } from '@bookstore/events'

export type BookRow = typeof books.$inferSelect

/** A book as the API returns it. */
export interface BookView {
  id: string
  title: string
  author: string
  description: string
  priceCents: number
  stock: number
  publishedOn: string | null
  categories: string[]
  version: number
  createdAt: string
  updatedAt: string
}

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
