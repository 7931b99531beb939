import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { CheckoutBody, CheckoutHeaders, errorResponses, Order, security } from './schemas'

/** POST /checkout (SPEC O1): the cart at the version the shopper saw becomes a pending order. */
export async function checkoutRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  routes.addHook('preHandler', app.requireUser)

  routes.post(
    '/checkout',
    {
      schema: {
        summary: 'Check the cart out: a pending order, its stock held, paid and confirmed by the saga',
        description:
          '202: a new pending order (follow it on GET /orders/:id or the socket). 200: the same key again, ' +
          'the order as it is now (Idempotent-Replayed: true). 409: CART_CHANGED, CART_EMPTY, ' +
          'CHECKOUT_PRICE_CHANGED (details.lines: fromCents, toCents), CHECKOUT_LINE_UNAVAILABLE ' +
          '(details.lines: reason, available); nothing is reserved then.',
        tags: ['checkout'],
        security,
        headers: CheckoutHeaders,
        body: CheckoutBody,
        response: { 200: Order, 202: Order, ...errorResponses(400, 401, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      try {
        const result = await app.orders.checkout({
          userId: request.user.id,
          idempotencyKey: request.headers['idempotency-key'],
          cartVersion: request.body.cartVersion,
        })
        app.orderMetrics.checkout(result.replayed ? 'replayed' : 'accepted')
        if (result.replayed) reply.header('idempotent-replayed', 'true')
        reply.header('location', `/orders/${result.order.id}`)
        return reply.status(result.replayed ? 200 : 202).send(result.order)
      } catch (error) {
        const code = (error as { code?: unknown }).code
        app.orderMetrics.checkout(typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : 'failed')
        throw error
      }
    },
  )
}
