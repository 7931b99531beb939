import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { CancelQuery, errorResponses, ListQuery, Order, OrderPage, OrderParams, security } from './schemas'

/** The shopper's own orders (SPEC O2): another shopper's order is not found. */
export async function orderRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  routes.addHook('preHandler', app.requireUser)

  routes.get(
    '/orders',
    {
      schema: {
        summary: 'My orders, newest first',
        tags: ['orders'],
        security,
        querystring: ListQuery,
        response: { 200: OrderPage, ...errorResponses(400, 401, 503) },
      },
    },
    (request) => app.orders.store.list({ userId: request.user.id, ...request.query }),
  )

  routes.get(
    '/orders/:id',
    {
      schema: {
        summary: 'One of my orders, with its history',
        tags: ['orders'],
        security,
        params: OrderParams,
        response: { 200: Order, ...errorResponses(400, 401, 404, 503) },
      },
    },
    (request) => app.orders.store.get(request.params.id, { userId: request.user.id, history: true }),
  )

  routes.post(
    '/orders/:id/cancel',
    {
      schema: {
        summary: 'Cancel one of my orders before it ships (the payment and the stock are given back)',
        description:
          '409 ORDER_TRANSITION_INVALID once shipped; ORDER_STATE_CHANGED when ?expectedStatus= is not the current status.',
        tags: ['orders'],
        security,
        params: OrderParams,
        querystring: CancelQuery,
        response: { 200: Order, ...errorResponses(400, 401, 404, 409, 503) },
      },
    },
    (request) =>
      app.orders.move({
        orderId: request.params.id,
        to: 'cancelled',
        actor: 'shopper',
        actorId: request.user.id,
        ownerId: request.user.id,
        expectedStatus: request.query.expectedStatus,
      }),
  )
}
