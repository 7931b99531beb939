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
import type { BookApiConfig } from './config'
import { bookErrorStatuses } from './error-statuses'
import { catalogPlugin } from './plugins/catalog'
import { reservationWorkerPlugin } from './plugins/reservation-worker'
import { adminBookRoutes } from './routes/admin-book-routes'
import { bookRoutes } from './routes/book-routes'

/** book-api as a plugin: tests register it exactly as main.ts does. */
export async function bookApi(app: FastifyInstance, options: { config: BookApiConfig }) {
  const { config } = options
  // Tier 1: the service kit and external clients.
  await app.register(servicePlugin, {
    serviceName: 'book-api',
    description: 'The catalog: books in PostgreSQL, their read model in Redis, changes as catalog events.',
    errorStatuses: bookErrorStatuses,
  })
  await app.register(redisPlugin, { url: config.REDIS_URL, connectionName: 'book-api' })
  await app.register(databasePlugin, {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: 'book-api',
  })
  await app.register(authPlugin, { verify: tokenVerifierFromConfig(config) })
  // Tier 2: application services.
  await app.register(catalogPlugin, {
    queuePrefix: config.QUEUE_PREFIX,
    relay: {
      enabled: config.OUTBOX_RELAY,
      pollMs: config.OUTBOX_POLL_MS,
      batchSize: config.OUTBOX_BATCH_SIZE,
    },
    rebuildOnStart: config.READ_MODEL_REBUILD_ON_START,
    seed: config.SEED_CATALOG,
  })
  if (config.RESERVATION_WORKER)
    await app.register(reservationWorkerPlugin, {
      worker: queueWorkerSettings(config, config.RESERVATION_CONCURRENCY),
      expireBatchSize: config.RESERVATION_EXPIRE_BATCH_SIZE,
      answerAttempts: 10,
      databaseRetryMaxMs: config.DATABASE_RETRY_MAX_MS,
    })
  app.addReadinessCheck('redis', () => app.redis.ping())
  // Tier 3: routes.
  await app.register(bookRoutes)
  await app.register(adminBookRoutes)
  if (config.RESERVATION_WORKER)
    await app.register(deadLetterRoutes, {
      ...app.deadLetters.of('stock-reservations'),
      jobs: 'stock reservation',
    })
}
