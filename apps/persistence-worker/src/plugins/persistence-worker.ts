import { queueNames, retryingJobOptions } from '@bookstore/events'
import { createPatientRedis } from '@bookstore/service-kit'
import { type QueueWorkerSettings, queueWorker } from '@bookstore/service-kit/queue-worker'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { syncAfterDeadLetter, userIdsOf } from '../domain/dead-letter'
import { LOST_VERSIONS_SKIPPED, persistCarts } from '../domain/persist-carts'
import { InvalidPersistenceJobError, runPersistenceJob } from '../domain/persistence-job'
import { isDatabaseUnavailable, rootMessage } from '../domain/pg-errors'
import { createWriteBatches } from '../domain/write-batches'
import { createPersistenceMetrics } from './persistence-metrics'

export interface PersistenceWorkerOptions {
  worker: QueueWorkerSettings
  /** Carts one transaction writes at most, and how many such batches are written at once. */
  batch: { maxCarts: number; maxInFlight: number }
  /** cart-api's cart expiry, for a cart rewritten past PostgreSQL's version that had none. */
  cartTtlSeconds: number
  syncAttempts: number
  syncBackoffMs: number
  databaseRetryMaxMs: number
}

/**
 * Consumes `{cart-persistence}` (SPEC P1-P4) with the queue-worker kit. Many jobs are worked on at
 * once and their carts written together (write-batches.ts): each cart read from Redis as it is NOW
 * and written once per batch, in one transaction, guarded by version. While PostgreSQL is
 * unreachable a job waits (delayed, with growing pauses) without spending its attempts; any other
 * failure spends one, with exponential backoff; the last failed attempt parks the job in the
 * dead-letter queue, counts an alert and enqueues a full-cart sync of its users.
 */
export const persistenceWorkerPlugin = fp(
  async (app: FastifyInstance, options: PersistenceWorkerOptions) => {
    const reader = createPatientRedis(options.worker.redisUrl, 'persistence-reader', { autoPipeline: true })
    const metrics = createPersistenceMetrics(app.metrics)
    const advance = { skip: LOST_VERSIONS_SKIPPED, cartTtlSeconds: options.cartTtlSeconds }
    const batches = createWriteBatches({
      write: (userIds, mode) => persistCarts({ redis: reader, db: app.db, advance }, userIds, mode),
      ...options.batch,
      onBatch: (batch) => {
        metrics.recordBatch(batch)
        const advanced = batch.outcome?.advanced ?? []
        if (advanced.length > 0)
          app.log.warn(
            { alert: 'cart-redis-behind-postgres', userIds: advanced.slice(0, 20), carts: advanced.length },
            'carts older in Redis than in PostgreSQL (Redis restored from an older snapshot?): moved past it, Redis content kept',
          )
      },
    })
    await app.register(queueWorker, {
      ...options.worker,
      name: 'persistence',
      queue: queueNames.cartPersistence,
      // The syncs this worker enqueues, and replays: cart-api sets its own jobs' attempts.
      jobOptions: retryingJobOptions(options.syncAttempts, options.syncBackoffMs),
      what: 'persistence job',
      metricPrefix: 'cart_persistence',
      process: async (job) => metrics.recordJob(await runPersistenceJob({ persist: batches.persist }, job)),
      isPermanent: (error) => error instanceof InvalidPersistenceJobError,
      deadLetter: {
        queue: queueNames.cartPersistenceDeadLetter,
        alert: 'cart-persistence-dead-letter',
        userIdsOf,
        reasonOf: rootMessage,
        followUp: syncAfterDeadLetter,
      },
      waitFor: {
        isUnavailable: isDatabaseUnavailable,
        maxPauseMs: options.databaseRetryMaxMs,
        result: 'waiting_for_database',
        message: 'postgres unreachable: job waits without spending an attempt',
      },
      closes: { connections: [reader] },
    })
  },
  { name: 'persistence-worker', dependencies: ['database', 'metrics', 'health'] },
)
