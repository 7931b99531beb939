import {
  authPlugin,
  databasePlugin,
  deadLetterRoutes,
  queueWorkerSettings,
  redisPlugin,
  servicePlugin,
  tokenVerifierFromConfig,
} from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import type { OrderApiConfig } from './config'
import { createFakePaymentProvider } from './domain/payments/fake-payment-provider'
import { withTimeouts } from './domain/payments/payment-provider'
import { orderErrorStatuses } from './error-statuses'
import { orderMetricsPlugin } from './plugins/order-metrics'
import { ordersPlugin } from './plugins/orders'
import { sagaWorkerPlugin } from './plugins/saga-worker'
import { adminOrderRoutes } from './routes/admin-order-routes'
import { checkoutRoutes } from './routes/checkout-routes'
import { orderRoutes } from './routes/order-routes'

/** order-api as a plugin: tests register it exactly as main.ts does. */
export async function orderApi(app: FastifyInstance, options: { config: OrderApiConfig }) {
  const { config } = options
  const queues = {
    prefix: config.QUEUE_PREFIX,
    attempts: config.SAGA_JOB_ATTEMPTS,
    backoffMs: config.SAGA_JOB_BACKOFF_MS,
  }
  // Tier 1: the service kit and external clients.
  await app.register(servicePlugin, {
    serviceName: 'order-api',
    description:
      'Checkout and orders: stock held by book-api over queues, payment, order states pushed live.',
    errorStatuses: orderErrorStatuses,
  })
  await app.register(redisPlugin, { url: config.REDIS_URL, connectionName: 'order-api' })
  await app.register(databasePlugin, {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: 'order-api',
  })
  await app.register(authPlugin, { verify: tokenVerifierFromConfig(config) })
  // Tier 2: application services.
  await app.register(orderMetricsPlugin)
  await app.register(ordersPlugin, { queues, reservationTtlMs: config.RESERVATION_TTL_SECONDS * 1000 })
  await app.register(sagaWorkerPlugin, {
    worker: queueWorkerSettings(config, config.SAGA_CONCURRENCY),
    // One connection per job at once: a step reads and writes through its transaction only.
    database: { url: config.DATABASE_URL, poolSize: config.SAGA_CONCURRENCY },
    queues,
    payments: (redis) =>
      withTimeouts(
        createFakePaymentProvider(redis, {
          authorize: config.FAKE_PAYMENT_AUTHORIZE,
          capture: config.FAKE_PAYMENT_CAPTURE,
          lateAnswerMs: config.PAYMENT_TIMEOUT_MS * 3,
          recordTtlSeconds: config.FAKE_PAYMENT_RECORD_TTL_SECONDS,
        }),
        config.PAYMENT_TIMEOUT_MS,
      ),
    expiryGraceMs: config.ORDER_EXPIRY_GRACE_MS,
    staleMs: config.SWEEP_STALE_MS,
    sweepBatchSize: config.SWEEP_BATCH_SIZE,
    databaseRetryMaxMs: config.DATABASE_RETRY_MAX_MS,
    cart: { ttlSeconds: config.CART_TTL_SECONDS, idempotencyTtlSeconds: config.CART_IDEMPOTENCY_TTL_SECONDS },
    shopUrl: config.SHOP_URL,
    email: { attempts: config.EMAIL_ATTEMPTS, backoffMs: config.EMAIL_BACKOFF_MS },
  })
  app.addReadinessCheck('redis', () => app.redis.ping())
  // Tier 3: routes.
  await app.register(checkoutRoutes)
  await app.register(orderRoutes)
  await app.register(adminOrderRoutes)
  await app.register(deadLetterRoutes, { ...app.deadLetters.of('order-saga'), jobs: 'order saga' })
}
