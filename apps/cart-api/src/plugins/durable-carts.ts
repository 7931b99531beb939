import { createDatabase } from '@bookstore/db'
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
    const { pool, db } = createDatabase(options.url, { max: options.poolSize, applicationName: 'cart-api' })
    // A connection lost while a client is checked out (mid-transaction) must not crash the process
    // either: its query fails, and that is handled where it was made.
    pool.on('connect', (client) =>
      client.on('error', (error) => app.log.warn({ err: error }, 'postgres client error')),
    )
    pool.on('error', (error) => app.log.warn({ err: error }, 'postgres pool error'))
    app.decorate('durableCarts', createDurableCartReader(db))
    app.addHook('onClose', () => pool.end())
  },
  { name: 'durable-carts' },
)
