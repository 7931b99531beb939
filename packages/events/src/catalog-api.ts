import { type Static, Type } from 'typebox'
import { BookId } from './ids'

/** book-api's public shapes (SPEC B1): the routes' schemas and the web shop's types. */

export const bookSorts = ['relevance', 'title', 'price-asc', 'price-desc', 'newest'] as const
export type BookSort = (typeof bookSorts)[number]

export const CategoryId = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 64 })
export const PriceCents = Type.Integer({ minimum: 0, maximum: 100_000_000 })

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
export type Book = Static<typeof Book>

export const BookPage = Type.Object({
  items: Type.Array(Book),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  totalItems: Type.Integer(),
  totalPages: Type.Integer(),
})
export type BookPage = Static<typeof BookPage>

export const Category = Type.Object({ id: CategoryId, name: Type.String() })
export type Category = Static<typeof Category>

export const BookListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Full-text search (web search syntax)' })),
    category: Type.Optional(CategoryId),
    author: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Part of the name' })),
    minPriceCents: Type.Optional(PriceCents),
    maxPriceCents: Type.Optional(PriceCents),
    inStock: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Union(bookSorts.map((sort) => Type.Literal(sort)))),
    page: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  },
  { additionalProperties: false },
)
export type BookListQuery = Static<typeof BookListQuery>
