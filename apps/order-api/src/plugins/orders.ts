import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type CheckoutRequest, type CheckoutResult, checkout } from '../domain/checkout'
import { type MoveRequest, moveOrder } from '../domain/order-actions'
import { createOrderPublisher } from '../domain/order-events'
import { createOrderStore, type OrderStore } from '../domain/order-store'
import { createSagaQueues, type SagaQueueSettings } from './saga-queues'

declare module 'fastify' {
  interface FastifyInstance {
    orders: {
      store: OrderStore
      checkout: (request: CheckoutRequest) => Promise<CheckoutResult>
      move: (request: MoveRequest) => ReturnType<typeof moveOrder>
    }
  }
}

export interface OrdersPluginOptions {
  queues: SagaQueueSettings
  reservationTtlMs: number
}

/**
 * The order use cases behind the routes (SPEC O1, O2). Its queue producers share the app's Redis
 * client, which fails fast: a checkout whose reservation request cannot be queued answers 503, and
 * its retry with the same key sends the request again for the order already written.
 */
export const ordersPlugin = fp(
  async (app: FastifyInstance, options: OrdersPluginOptions) => {
    const store = createOrderStore(app.db)
    const producers = createSagaQueues(app.redis, options.queues)
    for (const queue of producers.queues)
      queue.on('error', (error) => app.log.warn({ err: error, queue: queue.name }, 'saga queue error'))
    const publish = createOrderPublisher(app.redis, app.log, app.orderMetrics.transition)
    const view = (row: { id: string }) => store.get(row.id)
    app.decorate('orders', {
      store,
      checkout: (request: CheckoutRequest) =>
        checkout(
          {
            store,
            redis: app.redis,
            requestReservation: (order, lines) =>
              producers.stock.reserve(order.id, lines, order.reservationExpiresAt),
            view,
            announce: (order) => publish([{ order, from: null }]),
            reservationTtlMs: options.reservationTtlMs,
          },
          request,
        ),
      move: (request: MoveRequest) =>
        moveOrder({ store, publish, advanceLater: producers.advanceLater }, request),
    })
    app.addHook('onClose', async () => {
      await Promise.all(producers.queues.map((queue) => queue.close()))
    })
  },
  { name: 'orders', dependencies: ['redis', 'database', 'order-metrics'] },
)
