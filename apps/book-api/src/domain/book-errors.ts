import { errorsOf } from '@bookstore/service-kit/domain-error'

/** Every code book-api's domain refuses with; the statuses are declared at the edge (error-statuses.ts). */
export type BookErrorCode =
  | 'BOOK_NOT_FOUND'
  | 'BOOK_EXISTS'
  | 'CATEGORY_NOT_FOUND'
  | 'CATEGORY_EXISTS'
  | 'STOCK_NEGATIVE'
  | 'PRICE_RANGE_INVALID'
  | 'SORT_NEEDS_QUERY'

export const bookError = errorsOf<BookErrorCode>()

export const bookNotFound = (bookId: string) =>
  bookError('BOOK_NOT_FOUND', `There is no book ${bookId}`, { bookId })
export const bookExists = (bookId: string) =>
  bookError('BOOK_EXISTS', `A book with id ${bookId} already exists`, { bookId })
export const unknownCategories = (categoryIds: string[]) =>
  bookError('CATEGORY_NOT_FOUND', `Unknown categories: ${categoryIds.join(', ')}`, { categoryIds })
export const categoryExists = (categoryId: string) =>
  bookError('CATEGORY_EXISTS', `A category with id ${categoryId} already exists`, { categoryId })
export const stockWouldGoNegative = (stock: number, delta: number) =>
  bookError('STOCK_NEGATIVE', `Stock ${stock} cannot be adjusted by ${delta}`, { stock, delta })
