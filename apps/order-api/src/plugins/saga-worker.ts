import {
  type CartPersistJob,
  type EmailJob,
  emailQueueNames,
  orderConfirmedJobId,
  orderQueueNames,
  persistJobsOf,
  queueNames,
  retryingJobOptions,
  sagaJobLabel,
} from '@bookstore/events'
import { cartRemovePurchasedScript } from '@bookstore/lua'
import type { RedisClient } from '@bookstore/service-kit'
import { createPatientRedis, openDatabasePool } from '@bookstore/service-kit'
import { isDatabaseUnavailable } from '@bookstore/service-kit/database-errors'
import { type QueueWorkerSettings, queueWorker } from '@bookstore/service-kit/queue-worker'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createAfterConfirmation } from '../domain/after-confirmation'
import { createOrderPublisher } from '../domain/order-events'
import { createOrderSaga } from '../domain/order-saga'
import { createOrderStore } from '../domain/order-store'
import type { PaymentProvider } from '../domain/payments/payment-provider'
import { InvalidSagaJobError, runSagaJob } from '../domain/saga-job'
import { createSagaQueues, type SagaQueueSettings } from './saga-queues'

export interface SagaWorkerOptions {
  worker: QueueWorkerSettings
  /** The worker's own pool: a saga step holds a connection (and its order's row lock) through a
   * payment call, and checkout requests must never queue behind those. */
  database: { url: string; poolSize: number }
  queues: SagaQueueSettings
  /** The provider, given the worker's patient Redis connection (the fake keeps its state there). */
  payments: (redis: RedisClient) => PaymentProvider
  expiryGraceMs: number
  staleMs: number
  sweepBatchSize: number
  databaseRetryMaxMs: number
  cart: { ttlSeconds: number; idempotencyTtlSeconds: number }
  shopUrl: string
  email: { attempts: number; backoffMs: number }
}

const week = 7 * 24 * 3600

/**
 * order-api's saga worker (docs/orders.md) on the queue-worker kit: book-api's answers, "move this
 * order on" requests and the sweep, on `{order-saga}`. Its connections wait out a Redis outage and
 * PostgreSQL being away costs no attempt; a job that fails its last attempt (a payment provider
 * away for long) is parked in `{order-saga-dlq}` with an alert, and its order is settled by the
 * sweep once its hold expires (cancelled, paid back, stock released).
 */
export const sagaWorkerPlugin = fp(
  async (app: FastifyInstance, options: SagaWorkerOptions) => {
    const redis = createPatientRedis(options.worker.redisUrl, 'order-api-saga')
    const { db } = openDatabasePool(app, {
      url: options.database.url,
      poolSize: options.database.poolSize,
      applicationName: 'order-api-saga',
    })
    const producers = createSagaQueues(redis, options.queues)
    const persistence = new Queue<CartPersistJob>(queueNames.cartPersistence, {
      connection: redis,
      prefix: options.worker.prefix,
      defaultJobOptions: retryingJobOptions(10, 500),
    })
    const email = new Queue<EmailJob>(emailQueueNames.email, {
      connection: redis,
      prefix: options.worker.prefix,
      // Kept a week after they are done, so the job id deduplicates a confirmation enqueued twice.
      defaultJobOptions: retryingJobOptions(options.email.attempts, options.email.backoffMs, week),
    })
    const store = createOrderStore(db)
    const saga = createOrderSaga({
      store,
      payments: options.payments(redis),
      stock: producers.stock,
      publish: createOrderPublisher(redis, app.log, app.orderMetrics.transition),
      expiryGraceMs: options.expiryGraceMs,
      after: createAfterConfirmation({
        redis,
        db,
        persist: async (commits) => {
          await persistence.addBulk(persistJobsOf(commits))
        },
        enqueueEmail: async (message) => {
          await email.add(message.kind, message, { jobId: orderConfirmedJobId(message.orderId) })
        },
        cartTtlSeconds: options.cart.ttlSeconds,
        idempotencyTtlSeconds: options.cart.idempotencyTtlSeconds,
        shopUrl: options.shopUrl,
        log: app.log,
      }),
    })

    await app.register(queueWorker, {
      ...options.worker,
      name: 'order-saga',
      queue: orderQueueNames.orderSaga,
      jobOptions: retryingJobOptions(options.queues.attempts, options.queues.backoffMs),
      what: 'order saga job',
      metricPrefix: 'order_saga',
      jobLabel: (job) => sagaJobLabel(job.data),
      process: (job) =>
        runSagaJob(
          {
            saga,
            store,
            advanceLater: producers.advanceLater,
            sweep: {
              expiryGraceMs: options.expiryGraceMs,
              staleMs: options.staleMs,
              batchSize: options.sweepBatchSize,
            },
          },
          { id: String(job.id), data: job.data },
        ),
      isPermanent: (error) => error instanceof InvalidSagaJobError,
      deadLetter: { queue: orderQueueNames.orderSagaDeadLetter, alert: 'order-saga-dead-letter' },
      waitFor: {
        isUnavailable: isDatabaseUnavailable,
        maxPauseMs: options.databaseRetryMaxMs,
        result: 'waiting_for_database',
        message: 'postgres unreachable: saga job waits without spending an attempt',
      },
      readiness: 'order-saga-queue',
      closes: { connections: [redis], queues: [...producers.queues, persistence, email] },
    })
    // After the kit has its close hooks: an app closed after a failed load closes this connection too.
    await cartRemovePurchasedScript.load(redis)
  },
  { name: 'saga-worker', dependencies: ['database', 'order-metrics', 'metrics', 'health'] },
)
