import { authPlugin, redisPlugin, servicePlugin, tokenVerifierFromConfig } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import type { CartApiConfig } from './config'
import { cartErrorStatuses } from './error-statuses'
import { cartServicePlugin } from './plugins/cart-service'
import { durableCartsPlugin } from './plugins/durable-carts'
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
    errorStatuses: cartErrorStatuses,
  })
  await app.register(redisPlugin, { url: config.REDIS_URL, connectionName: 'cart-api' })
  await app.register(authPlugin, { verify: tokenVerifierFromConfig(config) })
  // Tier 2: application services.
  await app.register(persistenceQueuePlugin, {
    prefix: config.QUEUE_PREFIX,
    url: config.QUEUE_REDIS_URL ?? config.REDIS_URL,
    enqueueTimeoutMs: config.QUEUE_ENQUEUE_TIMEOUT_MS,
    enqueuesInFlight: config.PERSISTENCE_ENQUEUES_IN_FLIGHT,
    spoolMaxUsers: config.PERSISTENCE_SPOOL_MAX_CARTS,
    spoolRetryMs: config.PERSISTENCE_SPOOL_RETRY_MS,
    jobAttempts: config.PERSISTENCE_JOB_ATTEMPTS,
    jobBackoffMs: config.PERSISTENCE_JOB_BACKOFF_MS,
  })
  await app.register(durableCartsPlugin, { url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE })
  await app.register(cartServicePlugin, {
    bookCacheTtlMs: config.BOOK_CACHE_TTL_MS,
    settings: {
      cartTtlSeconds: config.CART_TTL_SECONDS,
      idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
      answersKept: config.IDEMPOTENCY_ANSWERS_KEPT,
      rateLimit: { mutations: config.CART_MUTATIONS_PER_WINDOW, windowMs: config.CART_RATE_WINDOW_MS },
      maxQuantityPerItem: config.CART_MAX_QUANTITY_PER_ITEM,
      maxDistinctItems: config.CART_MAX_DISTINCT_ITEMS,
    },
  })
  // Tier 3: routes.
  await app.register(cartRoutes)
  await app.register(adminCartRoutes)
}
