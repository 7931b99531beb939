import { errorResponses } from '@bookstore/service-kit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { Book, BookListQuery, BookPage, BookParams, Category } from './schemas'

/** The public catalog (SPEC B1): no token needed. */
export async function bookRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()

  routes.get(
    '/books',
    {
      schema: {
        summary: 'List books: filters, full-text search, pages',
        tags: ['books'],
        querystring: BookListQuery,
        response: { 200: BookPage, ...errorResponses(400, 503) },
      },
    },
    (request) => app.catalog.reads.list(request.query),
  )

  routes.get(
    '/books/:bookId',
    {
      schema: {
        summary: 'Get one book',
        tags: ['books'],
        params: BookParams,
        response: { 200: Book, ...errorResponses(400, 404, 503) },
      },
    },
    (request) => app.catalog.reads.get(request.params.bookId),
  )

  routes.get(
    '/categories',
    {
      schema: {
        summary: 'List categories',
        tags: ['books'],
        response: { 200: Type.Array(Category), ...errorResponses(503) },
      },
    },
    () => app.catalog.reads.categories(),
  )
}
