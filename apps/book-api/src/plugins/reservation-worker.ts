import {
  orderQueueNames,
  retryingJobOptions,
  type StockResultJob,
  sagaJobLabel,
  stockResultJobId,
} from '@bookstore/events'
import { createPatientRedis } from '@bookstore/service-kit'
import { isDatabaseUnavailable } from '@bookstore/service-kit/database-errors'
import { type QueueWorkerSettings, queueWorker } from '@bookstore/service-kit/queue-worker'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import { InvalidReservationJobError, runReservationJob } from '../domain/reservation-job'
import { createStockReservations } from '../domain/stock-reservations'

export interface ReservationWorkerOptions {
  worker: QueueWorkerSettings
  expireBatchSize: number
  /** Attempts of the answers it puts on the saga queue (order-api's worker retries them). */
  answerAttempts: number
  databaseRetryMaxMs: number
}

/**
 * book-api's stock reservation worker (SPEC O1, docs/orders.md): consumes `{stock-reservations}`
 * with the queue-worker kit and answers on `{order-saga}`. PostgreSQL being away costs no attempt
 * (the job waits); a job that fails its last attempt is parked in `{stock-reservations-dlq}`, and
 * the order it was for is settled by order-api's sweep when its hold expires.
 */
export const reservationWorkerPlugin = fp(
  async (app: FastifyInstance, options: ReservationWorkerOptions) => {
    const answers = createPatientRedis(options.worker.redisUrl, 'book-api-saga-answers')
    const saga = new Queue<StockResultJob>(orderQueueNames.orderSaga, {
      connection: answers,
      prefix: options.worker.prefix,
      defaultJobOptions: retryingJobOptions(options.answerAttempts, 250),
    })
    const reservations = createStockReservations({ db: app.db, onStockChanged: app.catalog.wake })
    const steps = new Counter({
      name: 'stock_reservation_steps_total',
      help: 'Reservation steps applied, by step and the reservation state they left',
      labelNames: ['step', 'status'],
      registers: [app.metrics],
    })
    new Gauge({
      name: 'stock_holds',
      help: 'Stock reservations held (neither sold nor released yet)',
      registers: [app.metrics],
      collect: async function (this: Gauge) {
        this.set(await reservations.heldCount().catch(() => -1))
      },
    })

    await app.register(queueWorker, {
      ...options.worker,
      name: 'stock-reservations',
      queue: orderQueueNames.stockReservations,
      jobOptions: retryingJobOptions(10, 500),
      what: 'stock reservation job',
      metricPrefix: 'stock_reservation',
      jobLabel: (job) => sagaJobLabel(job.data),
      process: (job) =>
        runReservationJob(
          {
            reservations,
            expireBatchSize: options.expireBatchSize,
            answer: async (results) => {
              await saga.addBulk(
                results.map((result) => ({
                  name: result.kind,
                  data: result,
                  opts: { jobId: stockResultJobId(result.step, result.orderId) },
                })),
              )
              for (const result of results) steps.inc({ step: result.step, status: result.status })
            },
          },
          { id: String(job.id), data: job.data },
        ),
      isPermanent: (error) => error instanceof InvalidReservationJobError,
      deadLetter: {
        queue: orderQueueNames.stockReservationsDeadLetter,
        alert: 'stock-reservation-dead-letter',
      },
      waitFor: {
        isUnavailable: isDatabaseUnavailable,
        maxPauseMs: options.databaseRetryMaxMs,
        result: 'waiting_for_database',
        message: 'postgres unreachable: reservation job waits without spending an attempt',
      },
      readiness: 'stock-reservations-queue',
      closes: { connections: [answers], queues: [saga] },
    })
  },
  { name: 'reservation-worker', dependencies: ['database', 'catalog', 'metrics', 'health'] },
)
