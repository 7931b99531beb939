import { randomUUID } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import {
  AdjustStockBody,
  adminSchema,
  Book,
  BookParams,
  Category,
  CreateBookBody,
  CreateCategoryBody,
  SetStockBody,
  UpdateBookBody,
} from './schemas'

/** Catalog changes (SPEC B1), admins only; every change also becomes a catalog event (B3-B5). */
export async function adminBookRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  routes.addHook('preHandler', app.requireAdmin)

  routes.post(
    '/admin/books',
    { schema: { ...adminSchema('Create a book', { 201: Book }, [409, 422]), body: CreateBookBody } },
    async (request, reply) => {
      const book = await app.catalog.writes.create({
        ...request.body,
        id: request.body.id ?? `book-${randomUUID()}`,
      })
      return reply.code(201).send(book)
    },
  )

  routes.patch(
    '/admin/books/:bookId',
    {
      schema: {
        ...adminSchema('Change a book (title, price, ...)', { 200: Book }, [404, 422]),
        params: BookParams,
        body: UpdateBookBody,
      },
    },
    (request) => app.catalog.writes.update(request.params.bookId, request.body),
  )

  routes.delete(
    '/admin/books/:bookId',
    {
      schema: {
        ...adminSchema('Delete a book (soft): it leaves every cart', { 204: Type.Null() }, [404]),
        params: BookParams,
      },
    },
    async (request, reply) => {
      await app.catalog.writes.remove(request.params.bookId)
      return reply.code(204).send()
    },
  )

  routes.put(
    '/admin/books/:bookId/stock',
    {
      schema: {
        ...adminSchema('Set the stock of a book', { 200: Book }, [404]),
        params: BookParams,
        body: SetStockBody,
      },
    },
    (request) => app.catalog.writes.setStock(request.params.bookId, request.body.stock),
  )

  routes.post(
    '/admin/books/:bookId/stock/adjust',
    {
      schema: {
        ...adminSchema('Add to or take from the stock of a book', { 200: Book }, [404, 409]),
        params: BookParams,
        body: AdjustStockBody,
      },
    },
    (request) => app.catalog.writes.adjustStock(request.params.bookId, request.body.delta),
  )

  routes.post(
    '/admin/categories',
    {
      schema: { ...adminSchema('Create a category', { 201: Category }, [409]), body: CreateCategoryBody },
    },
    async (request, reply) =>
      reply.code(201).send(await app.catalog.writes.createCategory(request.body.id, request.body.name)),
  )

  routes.post(
    '/admin/read-model/rebuild',
    {
      schema: adminSchema(
        'Rewrite the Redis read model of every book from PostgreSQL',
        { 200: Type.Object({ books: Type.Integer() }) },
        [],
      ),
    },
    async () => ({ books: await app.catalog.rebuildReadModel() }),
  )
}
