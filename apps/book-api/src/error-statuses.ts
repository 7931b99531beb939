import type { ErrorStatuses } from '@bookstore/service-kit'
import type { BookErrorCode } from './domain/book-errors'

/** The HTTP status of each code book-api's domain raises. */
export const bookErrorStatuses = {
  BOOK_NOT_FOUND: 404,
  BOOK_EXISTS: 409,
  CATEGORY_NOT_FOUND: 422,
  CATEGORY_EXISTS: 409,
  STOCK_NEGATIVE: 409,
  PRICE_RANGE_INVALID: 400,
  SORT_NEEDS_QUERY: 400,
} as const satisfies ErrorStatuses<BookErrorCode>
