import { Cart } from '@bookstore/events'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { MutationResult } from '../domain/cart-service'
import { AddItemBody, BookParams, CartTotal, mutationSchema, readSchema, SetQuantityBody } from './schemas'

/** The cart JSON comes from the script already encoded; it is sent as it is. */
const sendCart = (reply: FastifyReply, result: MutationResult) => {
  if (result.replayed) reply.header('idempotent-replayed', 'true')
  return reply.type('application/json; charset=utf-8').send(result.cartJson)
}

/** The shopper's own cart (SPEC C1, C6): the user id comes only from the verified token. */
export async function cartRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  routes.addHook('preHandler', app.requireUser)

  routes.get('/cart', { schema: readSchema('Get my cart', Cart) }, (request) =>
    app.carts.getCart(request.user.id),
  )

  routes.get('/cart/total', { schema: readSchema('Get my cart total', CartTotal) }, async (request) => {
    const { version, totalCents, itemCount } = await app.carts.getCart(request.user.id)
    return { version, totalCents, itemCount }
  })

  routes.post(
    '/cart/items',
    {
      schema: { ...mutationSchema('Add a book (or more copies of it)', [404, 409, 422]), body: AddItemBody },
    },
    async (request, reply) => {
      const { bookId, quantity = 1 } = request.body
      const result = await app.carts.mutate(
        request.user.id,
        { op: 'add-item', bookId, quantity },
        request.headers['idempotency-key'],
      )
      return sendCart(reply, result)
    },
  )

  routes.put(
    '/cart/items/:bookId',
    {
      schema: {
        ...mutationSchema('Set the quantity of a book in the cart', [404, 409, 422]),
        params: BookParams,
        body: SetQuantityBody,
      },
    },
    async (request, reply) => {
      const mutation = {
        op: 'set-quantity',
        bookId: request.params.bookId,
        quantity: request.body.quantity,
      } as const
      return sendCart(
        reply,
        await app.carts.mutate(request.user.id, mutation, request.headers['idempotency-key']),
      )
    },
  )

  routes.delete(
    '/cart/items/:bookId',
    { schema: { ...mutationSchema('Remove a book from the cart', [404, 422]), params: BookParams } },
    async (request, reply) => {
      const mutation = { op: 'remove-item', bookId: request.params.bookId } as const
      return sendCart(
        reply,
        await app.carts.mutate(request.user.id, mutation, request.headers['idempotency-key']),
      )
    },
  )

  routes.delete('/cart', { schema: mutationSchema('Empty the cart', [422]) }, async (request, reply) =>
    sendCart(
      reply,
      await app.carts.mutate(request.user.id, { op: 'clear' }, request.headers['idempotency-key']),
    ),
  )
}
