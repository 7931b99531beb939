import { Book, BookPage, Category } from '@bookstore/events'
import { Type } from 'typebox'
import { apiPaths } from '../api/api-paths'
import { requestJson } from '../api/http'
import { bookListParams, type CatalogQuery } from './catalog-query'

const Categories = Type.Array(Category)

/** book-api's public routes (README, Catalog). */
export const catalogApi = {
  list: (query: CatalogQuery, signal?: AbortSignal) =>
    requestJson(BookPage, `${apiPaths.books.list}?${bookListParams(query)}`, { ...(signal && { signal }) }),
  book: (bookId: string, signal?: AbortSignal) =>
    requestJson(Book, apiPaths.books.one(bookId), { ...(signal && { signal }) }),
  categories: (signal?: AbortSignal) =>
    requestJson(Categories, apiPaths.books.categories, { ...(signal && { signal }) }),
}
