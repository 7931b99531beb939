import { AppError, conflict, notFound } from '@bookstore/service-kit'

export const bookNotFound = (bookId: string) =>
  notFound('BOOK_NOT_FOUND', `There is no book ${bookId}`, { bookId })
export const bookExists = (bookId: string) =>
  conflict('BOOK_EXISTS', `A book with id ${bookId} already exists`, { bookId })
export const unknownCategories = (categoryIds: string[]) =>
  new AppError(422, 'CATEGORY_NOT_FOUND', `Unknown categories: ${categoryIds.join(', ')}`, { categoryIds })
export const categoryExists = (categoryId: string) =>
  conflict('CATEGORY_EXISTS', `A category with id ${categoryId} already exists`, { categoryId })
export const stockWouldGoNegative = (stock: number, delta: number) =>
  conflict('STOCK_NEGATIVE', `Stock ${stock} cannot be adjusted by ${delta}`, { stock, delta })
