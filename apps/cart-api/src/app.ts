import {
  authPlugin,
  createTokenVerifier,
  readPublicKey,
  redisPlugin,
  servicePlugin,
} from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import type { CartApiConfig } from './config'
import { cartServicePlugin } from './plugins/cart-service'
import { persistenceQueuePlugin } from './plugins/persistence-queue'
import { adminCartRoutes } from './routes/admin-cart-routes'
import { cartRoutes } from './routes/cart-routes'

/** cart-api as a plugin: tests register it exactly as main.ts does. */
export async function cartApi(app: FastifyInstance, options: { config: CartApiConfig }) {
  const { config } = options
  // Tier 1: the service kit and external clients.
  await app.register(servicePlugin, {
    serviceName: 'cart-api',
    description: 'Shopping carts: Redis is the primary store, every change one atomic Lua script.',
  })
  await app.register(redisPlugin, { url: config.REDIS_URL, connectionName: 'cart-api' })
  await app.register(authPlugin, {
    verify: createTokenVerifier({
      publicKey: readPublicKey(config),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    }),
  })
  // Tier 2: application services.
  await app.register(persistenceQueuePlugin, { prefix: config.QUEUE_PREFIX })
  await app.register(cartServicePlugin, {
    bookCacheTtlMs: config.BOOK_CACHE_TTL_MS,
    settings: {
      cartTtlSeconds: config.CART_TTL_SECONDS,
      idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
      maxQuantityPerItem: config.CART_MAX_QUANTITY_PER_ITEM,
      maxDistinctItems: config.CART_MAX_DISTINCT_ITEMS,
    },
  })
  // Tier 3: routes.
  await app.register(cartRoutes)
  await app.register(adminCartRoutes)
}
