import { openDatabasePool } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createDurableCartReader, type DurableCartReader, noDurableCarts } from '../domain/durable-carts'

declare module 'fastify' {
  interface FastifyInstance {
    durableCarts: DurableCartReader
  }
}

/**
 * Read access to the carts' durable copy, for hydration only (SPEC C5): a small pool, used when a
 * cart is missing from Redis, never on the path of a cart that is there. It is not a readiness
 * check: cart-api serves carts in Redis while PostgreSQL is away.
 */
export const durableCartsPlugin = fp(
  async (app: FastifyInstance, options: { url: string | undefined; poolSize: number }) => {
    if (!options.url) {
      app.decorate('durableCarts', noDurableCarts)
      return
    }
    const { db } = openDatabasePool(app, {
      url: options.url,
      poolSize: options.poolSize,
      applicationName: 'cart-api',
    })
    app.decorate('durableCarts', createDurableCartReader(db))
  },
  { name: 'durable-carts' },
)
