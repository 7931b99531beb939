import { loadCartScripts } from '@bookstore/lua'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createBookLookup } from '../domain/book-lookup'
import { type CartService, type CartSettings, createCartService } from '../domain/cart-service'

declare module 'fastify' {
  interface FastifyInstance {
    carts: CartService
  }
}

export const cartServicePlugin = fp(
  async (app: FastifyInstance, options: { settings: CartSettings; bookCacheTtlMs: number }) => {
    await loadCartScripts(app.redis)
    app.decorate(
      'carts',
      createCartService({
        redis: app.redis,
        findBook: createBookLookup(app.redis, { ttlMs: options.bookCacheTtlMs }),
        enqueuePersistence: (commit) => app.persistence.add(commit),
        readDurableCart: app.durableCarts,
        settings: options.settings,
      }),
    )
    app.addReadinessCheck('redis', () => app.redis.ping())
  },
  { name: 'cart-service', dependencies: ['redis', 'persistence-queue', 'durable-carts', 'health'] },
)
