import { BookId } from '@bookstore/events'
import { errorResponses } from '@bookstore/service-kit'
import { Type } from 'typebox'
import { Book } from '../domain/book-view'
import { bookSorts } from '../domain/catalog-reads'

export { Book }

export const CategoryId = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 64 })
const Title = Type.String({ minLength: 1, maxLength: 500 })
const Author = Type.String({ minLength: 1, maxLength: 200 })
const Description = Type.String({ maxLength: 10_000 })
const PriceCents = Type.Integer({ minimum: 0, maximum: 100_000_000 })
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000 })
const PublishedOn = Type.Union([Type.String({ format: 'date' }), Type.Null()])
const Categories = Type.Array(CategoryId, { maxItems: 20 })

export const BookPage = Type.Object({
  items: Type.Array(Book),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  totalItems: Type.Integer(),
  totalPages: Type.Integer(),
})

export const Category = Type.Object({ id: CategoryId, name: Type.String() })

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

export const BookParams = Type.Object({ bookId: BookId })

export const CreateBookBody = Type.Object(
  {
    id: Type.Optional(BookId),
    title: Title,
    author: Author,
    description: Type.Optional(Description),
    priceCents: PriceCents,
    stock: Stock,
    publishedOn: Type.Optional(PublishedOn),
    categories: Type.Optional(Categories),
  },
  { additionalProperties: false },
)

export const UpdateBookBody = Type.Object(
  {
    title: Type.Optional(Title),
    author: Type.Optional(Author),
    description: Type.Optional(Description),
    priceCents: Type.Optional(PriceCents),
    publishedOn: Type.Optional(PublishedOn),
    categories: Type.Optional(Categories),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const SetStockBody = Type.Object({ stock: Stock }, { additionalProperties: false })
export const AdjustStockBody = Type.Object(
  {
    delta: Type.Union([
      Type.Integer({ minimum: -1_000_000, maximum: -1 }),
      Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    ]),
  },
  { additionalProperties: false },
)
export const CreateCategoryBody = Type.Object(
  { id: CategoryId, name: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
)

export const adminSchema = (summary: string, success: Record<number, unknown>, errorCodes: number[]) => ({
  summary,
  tags: ['admin'],
  security: [{ bearerAuth: [] }],
  response: { ...success, ...errorResponses(400, 401, 403, 503, ...errorCodes) },
})
