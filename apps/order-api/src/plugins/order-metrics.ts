import { orders } from '@bookstore/db'
import { count } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import type { Transitioned } from '../domain/order-store'

declare module 'fastify' {
  interface FastifyInstance {
    orderMetrics: {
      checkout: (outcome: string) => void
      transition: (transition: Transitioned) => void
    }
  }
}

/** Checkouts, outcomes and the orders in each status (SPEC E2); holds are book-api's `stock_holds`. */
export const orderMetricsPlugin = fp(
  async (app: FastifyInstance) => {
    const registers = [app.metrics]
    const checkouts = new Counter({
      name: 'order_checkouts_total',
      help: 'Checkout requests by outcome: accepted, replayed, or the refusal code',
      labelNames: ['outcome'],
      registers,
    })
    const transitions = new Counter({
      name: 'order_transitions_total',
      help: 'Order status changes; to="cancelled" by reason (stock-refused, payment-declined, reservation-expired, ...)',
      labelNames: ['from', 'to', 'reason'],
      registers,
    })
    new Gauge({
      name: 'orders',
      help: 'Orders in each status',
      labelNames: ['status'],
      registers,
      collect: async function (this: Gauge) {
        const rows = await app.db
          .select({ status: orders.status, value: count() })
          .from(orders)
          .groupBy(orders.status)
          .catch(() => [])
        this.reset()
        for (const row of rows) this.set({ status: row.status }, row.value)
      },
    })
    app.decorate('orderMetrics', {
      checkout: (outcome: string) => checkouts.inc({ outcome }),
      transition: ({ order, from }: Transitioned) =>
        transitions.inc({ from: from ?? 'none', to: order.status, reason: order.cancelReason ?? '' }),
    })
  },
  { name: 'order-metrics', dependencies: ['metrics', 'database'] },
)
