import {
  authPlugin,
  databasePlugin,
  deadLetterRoutes,
  queueWorkerSettings,
  servicePlugin,
  tokenVerifierFromConfig,
} from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import type { PersistenceWorkerConfig } from './config'
import { backlogMetricsPlugin } from './plugins/backlog-metrics'
import { persistenceWorkerPlugin } from './plugins/persistence-worker'
import { spoolAdoptionPlugin } from './plugins/spool-adoption'

/** persistence-worker as a plugin: tests register it exactly as main.ts does. */
export async function persistenceWorker(app: FastifyInstance, options: { config: PersistenceWorkerConfig }) {
  const { config } = options
  // Tier 1: the service kit and external clients.
  await app.register(servicePlugin, {
    serviceName: 'persistence-worker',
    description:
      'Writes every cart change from Redis to PostgreSQL, in version order; dead-letter queue admin.',
  })
  await app.register(authPlugin, { verify: tokenVerifierFromConfig(config) })
  await app.register(databasePlugin, {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: 'persistence-worker',
    migrate: true,
  })
  // Tier 2: the worker.
  await app.register(persistenceWorkerPlugin, {
    worker: queueWorkerSettings(config, config.PERSIST_CONCURRENCY),
    batch: { maxCarts: config.PERSIST_BATCH_MAX_CARTS, maxInFlight: config.PERSIST_TRANSACTIONS },
    cartTtlSeconds: config.CART_TTL_SECONDS,
    syncAttempts: config.SYNC_ATTEMPTS,
    syncBackoffMs: config.SYNC_BACKOFF_MS,
    databaseRetryMaxMs: config.DATABASE_RETRY_MAX_MS,
  })
  await app.register(backlogMetricsPlugin, { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX })
  await app.register(spoolAdoptionPlugin, {
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    everyMs: config.SPOOL_ADOPT_EVERY_MS,
    idleMs: config.SPOOL_ADOPT_AFTER_MS,
  })
  // Tier 3: routes (admin only; the worker has no business routes).
  await app.register(deadLetterRoutes, { ...app.deadLetters.of('persistence'), jobs: 'persistence' })
}
