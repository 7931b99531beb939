import { BookId, CategoryId, PriceCents } from '@bookstore/events'
import { errorResponses } from '@bookstore/service-kit'
import { Type } from 'typebox'

// The shapes a client reads live in packages/events (one schema for book-api and the web shop).
export { Book, BookListQuery, BookPage, Category, CategoryId } from '@bookstore/events'

const Title = Type.String({ minLength: 1, maxLength: 500 })
const Author = Type.String({ minLength: 1, maxLength: 200 })
const Description = Type.String({ maxLength: 10_000 })
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000 })
const PublishedOn = Type.Union([Type.String({ format: 'date' }), Type.Null()])
const Categories = Type.Array(CategoryId, { maxItems: 20 })

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
