import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import {
  AdminListQuery,
  AdminMoveBody,
  errorResponses,
  Order,
  OrderPage,
  OrderParams,
  security,
} from './schemas'

/** Every order for admins (SPEC O2): list and filter, read, move along its states. */
export async function adminOrderRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  routes.addHook('preHandler', app.requireAdmin)

  routes.get(
    '/admin/orders',
    {
      schema: {
        summary: 'All orders, newest first, by status and shopper',
        tags: ['admin'],
        security,
        querystring: AdminListQuery,
        response: { 200: OrderPage, ...errorResponses(400, 401, 403, 503) },
      },
    },
    (request) => app.orders.store.list(request.query),
  )

  routes.get(
    '/admin/orders/:id',
    {
      schema: {
        summary: 'Any order, with its history',
        tags: ['admin'],
        security,
        params: OrderParams,
        response: { 200: Order, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    (request) => app.orders.store.get(request.params.id, { history: true }),
  )

  routes.post(
    '/admin/orders/:id/status',
    {
      schema: {
        summary: 'Move an order along: shipped, delivered, or cancelled (paid back, stock released)',
        description:
          'A compare-and-set: 409 ORDER_TRANSITION_INVALID (details.allowed), ORDER_STATE_CHANGED when ' +
          'expectedStatus is not the current status.',
        tags: ['admin'],
        security,
        params: OrderParams,
        body: AdminMoveBody,
        response: { 200: Order, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    (request) =>
      app.orders.move({
        orderId: request.params.id,
        to: request.body.status,
        actor: 'admin',
        actorId: request.user.id,
        expectedStatus: request.body.expectedStatus,
      }),
  )
}
