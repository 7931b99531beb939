import {
  catalogQueueNames,
  type DeadLetterJob,
  type EmailJob,
  emailQueueNames,
  orderQueueNames,
  queueNames,
  retryingJobOptions,
  stalledJobDetection,
} from '@bookstore/events'
import { bindQueueLifecycle, createPatientRedis, registerQueueDepthMetric } from '@bookstore/service-kit'
import { Queue, Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { SchedulerConfig } from '../config'
import type { WatchedQueue } from '../domain/dead-letter-watch'
import { type ScheduleName, scheduleNames, scheduleQueueName } from '../schedules'
import { createScheduleRuns } from './schedule-runs'
import { createSchedulerMetrics } from './scheduler-metrics'
import { deadLetterQueue, failedSet, registerDeadLetterGauge } from './watched-queues'

declare module 'fastify' {
  interface FastifyInstance {
    schedules: {
      /** Each schedule's queue (its job scheduler, its runs). */
      queues: Record<ScheduleName, Queue>
      periods: Record<ScheduleName, number>
    }
  }
}

const week = 7 * 24 * 3600

/**
 * The scheduler (SPEC S1-S3, P6). Every instance upserts the same job schedulers (one per
 * schedule, by name), so BullMQ makes ONE job per period however many instances run (S2); every
 * instance also runs a worker per schedule, and the queue's global concurrency of 1 keeps runs of
 * one schedule from overlapping. Runs only enqueue work for the other apps (syncs for
 * persistence-worker, e-mails for mail-worker), except the re-sync, which restores carts itself
 * by cart-api's hydration rules.
 */
export const scheduledJobsPlugin = fp(
  async (app: FastifyInstance, options: { config: SchedulerConfig }) => {
    const { config } = options
    const prefix = config.QUEUE_PREFIX
    const carts = createPatientRedis(config.REDIS_URL, 'scheduler-carts', { autoPipeline: true })
    const queues = createPatientRedis(config.REDIS_URL, 'scheduler-queues')
    const workers = createPatientRedis(config.REDIS_URL, 'scheduler-workers')

    const persistence = new Queue(queueNames.cartPersistence, {
      connection: queues,
      prefix,
      defaultJobOptions: retryingJobOptions(config.SYNC_ATTEMPTS, config.SYNC_BACKOFF_MS),
    })
    const email = new Queue<EmailJob>(emailQueueNames.email, {
      connection: queues,
      prefix,
      // Kept a week after they are done, so the job id of a reminder still deduplicates a re-add.
      defaultJobOptions: retryingJobOptions(config.EMAIL_ATTEMPTS, config.EMAIL_BACKOFF_MS, week),
    })
    const queueOf = (name: ScheduleName) =>
      new Queue(scheduleQueueName(name), {
        connection: queues,
        prefix,
        defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      })
    const schedules = Object.fromEntries(scheduleNames.map((name) => [name, queueOf(name)])) as Record<
      ScheduleName,
      Queue
    >
    const periods: Record<ScheduleName, number> = {
      'reconcile-carts': config.RECONCILE_EVERY_MS,
      'resync-carts': config.RESYNC_EVERY_MS,
      'remind-abandoned-carts': config.ABANDONED_CARTS_EVERY_MS,
      'watch-dead-letters': config.DEAD_LETTER_WATCH_EVERY_MS,
      'sweep-orders': config.ORDER_SWEEP_EVERY_MS,
      'watch-persistence-lag': config.PERSIST_LAG_WATCH_EVERY_MS,
      'watch-redis-memory': config.REDIS_MEMORY_WATCH_EVERY_MS,
    }
    const persistenceDlq = new Queue<DeadLetterJob>(queueNames.cartPersistenceDeadLetter, {
      connection: queues,
      prefix,
    })
    const emailDlq = new Queue<DeadLetterJob>(emailQueueNames.emailDeadLetter, { connection: queues, prefix })
    const catalogEvents = new Queue(catalogQueueNames.catalogEvents, { connection: queues, prefix })
    // The checkout saga's queues: the sweep enqueues onto them, the watch reads their DLQs.
    const sagaQueueOptions = { connection: queues, prefix, defaultJobOptions: retryingJobOptions(5, 500) }
    const stockReservations = new Queue(orderQueueNames.stockReservations, sagaQueueOptions)
    const orderSaga = new Queue(orderQueueNames.orderSaga, sagaQueueOptions)
    const stockReservationsDlq = new Queue<DeadLetterJob>(orderQueueNames.stockReservationsDeadLetter, {
      connection: queues,
      prefix,
    })
    const orderSagaDlq = new Queue<DeadLetterJob>(orderQueueNames.orderSagaDeadLetter, {
      connection: queues,
      prefix,
    })
    const watched: WatchedQueue[] = [
      deadLetterQueue(persistenceDlq),
      deadLetterQueue(emailDlq),
      deadLetterQueue(stockReservationsDlq),
      deadLetterQueue(orderSagaDlq),
      failedSet(catalogEvents),
      ...scheduleNames.map((name) => failedSet(schedules[name])),
    ]
    const allQueues = [
      persistence,
      email,
      persistenceDlq,
      emailDlq,
      catalogEvents,
      stockReservations,
      orderSaga,
      stockReservationsDlq,
      orderSagaDlq,
      ...Object.values(schedules),
    ]

    // Long sweeps stop between pages when the process shuts down (the next run covers the rest),
    // so a graceful shutdown waits for one page, not for a sweep over every cart.
    const shutdown = new AbortController()
    const metrics = createSchedulerMetrics(app.metrics)
    registerQueueDepthMetric(app.metrics, [email, ...Object.values(schedules)])
    registerDeadLetterGauge(app.metrics, watched)
    const runs = createScheduleRuns({
      config,
      db: app.db,
      log: app.log,
      metrics,
      carts,
      queues,
      persistence,
      email,
      saga: { stockReservations, orderSaga },
      watched,
      signal: shutdown.signal,
    })

    const workersByName = scheduleNames.map(
      (name) =>
        new Worker(
          scheduleQueueName(name),
          async (job) => {
            const stop = metrics.runSeconds.startTimer({ schedule: name })
            try {
              const result = await runs[name]()
              metrics.runs.inc({ schedule: name, result: 'done' })
              app.log.info({ schedule: name, jobId: job.id, ...result }, `${name} done`)
              return result
            } catch (error) {
              metrics.runs.inc({ schedule: name, result: 'failed' })
              app.log.error({ err: error, schedule: name, jobId: job.id }, `${name} failed`)
              throw error
            } finally {
              stop()
            }
          },
          {
            connection: workers,
            prefix,
            concurrency: 1,
            autorun: false,
            ...stalledJobDetection(config.STALLED_JOB_TIMEOUT_MS),
          },
        ),
    )

    app.decorate('schedules', { queues: schedules, periods })
    app.addReadinessCheck('redis', () => queues.ping())
    app.addHook('onReady', async () => {
      // Idempotent: every instance upserts the same schedulers; a changed period replaces the old one.
      for (const name of scheduleNames) {
        await schedules[name].setGlobalConcurrency(1)
        await schedules[name].upsertJobScheduler(name, { every: periods[name] }, { name })
      }
    })
    // Before the workers close (bindQueueLifecycle): a run in progress stops after its page.
    app.addHook('preClose', async () => shutdown.abort())
    bindQueueLifecycle(app, {
      connections: [carts, queues, workers],
      queues: allQueues,
      workers: workersByName,
    })
  },
  { name: 'scheduled-jobs', dependencies: ['database', 'metrics', 'health'] },
)
