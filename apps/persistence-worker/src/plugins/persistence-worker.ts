import { queueNames, retryingJobOptions } from '@bookstore/events'
import { createPatientRedis } from '@bookstore/service-kit'
import { type QueueWorkerSettings, queueWorker } from '@bookstore/service-kit/queue-worker'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { syncAfterDeadLetter, userIdsOf } from '../domain/dead-letter'
import { InvalidPersistenceJobError, runPersistenceJob } from '../domain/persistence-job'
import { isDatabaseUnavailable, rootMessage } from '../domain/pg-errors'
import { createPersistenceMetrics } from './persistence-metrics'

export interface PersistenceWorkerOptions {
  worker: QueueWorkerSettings
  syncAttempts: number
  syncBackoffMs: number
  databaseRetryMaxMs: number
}

/**
 * Consumes `{cart-persistence}` (SPEC P1-P4) with the queue-worker kit. A job's carts are read from
 * Redis as they are NOW and written in one transaction, guarded by version. While PostgreSQL is
 * unreachable a job waits (delayed, with growing pauses) without spending its attempts; any other
 * failure spends one, with exponential backoff; the last failed attempt parks the job in the
 * dead-letter queue, counts an alert and enqueues a full-cart sync of its users.
 */
export const persistenceWorkerPlugin = fp(
  async (app: FastifyInstance, options: PersistenceWorkerOptions) => {
    const reader = createPatientRedis(options.worker.redisUrl, 'persistence-reader', { autoPipeline: true })
    const metrics = createPersistenceMetrics(app.metrics)
    await app.register(queueWorker, {
      ...options.worker,
      name: 'persistence',
      queue: queueNames.cartPersistence,
      // The syncs this worker enqueues, and replays: cart-api sets its own jobs' attempts.
      jobOptions: retryingJobOptions(options.syncAttempts, options.syncBackoffMs),
      what: 'persistence job',
      metricPrefix: 'cart_persistence',
      process: async (job) => metrics.record(await runPersistenceJob({ redis: reader, db: app.db }, job)),
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
