import {
  type AbandonedCartEmail,
  abandonedCartJobId,
  catalogQueueNames,
  type DeadLetterJob,
  type EmailJob,
  emailQueueNames,
  type OpsAlertEmail,
  persistJobsOf,
  queueNames,
  retryingJobOptions,
  stalledJobDetection,
  syncJobsOf,
} from '@bookstore/events'
import { createPatientRedis, registerQueueDepthMetric } from '@bookstore/service-kit'
import { type Job, Queue, Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Gauge } from 'prom-client'
import type { SchedulerConfig } from '../config'
import { remindAbandonedCarts } from '../domain/abandoned-carts'
import { type DeadLetterAlert, type WatchedQueue, watchDeadLetters } from '../domain/dead-letter-watch'
import { reconcileCarts } from '../domain/reconcile-carts'
import { resyncCarts } from '../domain/resync-carts'
import { type ScheduleName, scheduleNames, scheduleQueueName } from '../schedules'
import { createSchedulerMetrics } from './scheduler-metrics'

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

/** A dead-letter queue (a BullMQ queue with no worker) as the watch reads it. */
const deadLetterQueue = (queue: Queue<DeadLetterJob>): WatchedQueue => ({
  name: queue.name,
  count: () => queue.getWaitingCount(),
  newest: async (start, end) =>
    (await queue.getJobs(['waiting'], start, end, false)).map((job) => ({
      id: String(job.id),
      name: job.data.name ?? job.name,
      at: job.data.deadLetteredAt ?? job.timestamp,
      reason: job.data.failedReason ?? '',
    })),
})

/** The failed set of a queue that has no DLQ of its own (its jobs stay there when they give up). */
const failedSet = (queue: Queue): WatchedQueue => ({
  name: `${queue.name} failed`,
  count: () => queue.getFailedCount(),
  newest: async (start, end) =>
    (await queue.getJobs(['failed'], start, end, false)).map((job) => ({
      id: String(job.id),
      name: job.name,
      at: job.finishedOn ?? job.timestamp,
      reason: job.failedReason ?? '',
    })),
})

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
    const connections = [carts, queues, workers]
    for (const connection of connections)
      connection.on('error', (error) => app.log.warn({ err: error }, 'redis connection error'))

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
    }
    const persistenceDlq = new Queue<DeadLetterJob>(queueNames.cartPersistenceDeadLetter, {
      connection: queues,
      prefix,
    })
    const emailDlq = new Queue<DeadLetterJob>(emailQueueNames.emailDeadLetter, { connection: queues, prefix })
    const catalogEvents = new Queue(catalogQueueNames.catalogEvents, { connection: queues, prefix })
    const watched: WatchedQueue[] = [
      deadLetterQueue(persistenceDlq),
      deadLetterQueue(emailDlq),
      failedSet(catalogEvents),
      ...scheduleNames.map((name) => failedSet(schedules[name])),
    ]
    const allQueues = [
      persistence,
      email,
      persistenceDlq,
      emailDlq,
      catalogEvents,
      ...Object.values(schedules),
    ]
    for (const queue of allQueues) queue.on('error', (error) => app.log.warn({ err: error }, 'queue error'))

    // Long sweeps stop between pages when the process shuts down (the next run covers the rest),
    // so a graceful shutdown waits for one page, not for a sweep over every cart.
    const shutdown = new AbortController()
    const metrics = createSchedulerMetrics(app.metrics)
    registerQueueDepthMetric(app.metrics, [email, ...Object.values(schedules)])
    new Gauge({
      name: 'dead_letter_jobs',
      help: 'Jobs parked in each dead-letter queue (or failed for good), read at scrape time',
      labelNames: ['queue'],
      registers: [app.metrics],
      async collect() {
        for (const queue of watched)
          await queue.count().then(
            (count) => this.set({ queue: queue.name }, count),
            () => {}, // Redis away: the scrape still answers.
          )
      },
    })

    const watermarkKey = `${prefix}:scheduler:dead-letter-watermarks`
    const raiseAlert = async (alert: DeadLetterAlert) => {
      metrics.deadLetterAlerts.inc({ queue: alert.queue })
      metrics.deadLetteredJobs.inc({ queue: alert.queue }, alert.newJobs)
      app.log.error(
        { alert: 'dead-letter', ...alert },
        `${alert.newJobs} job(s) dead-lettered on ${alert.queue}`,
      )
      if (!config.OPS_ALERT_EMAIL) return
      const newestAt = Math.max(...alert.sample.map((job) => job.at))
      const message: OpsAlertEmail = {
        kind: 'ops-alert',
        to: config.OPS_ALERT_EMAIL,
        alert: 'dead-letter',
        subject: `[bookstore] ${alert.newJobs} job(s) dead-lettered on ${alert.queue}`,
        lines: [
          `Queue: ${alert.queue}`,
          `New dead-lettered jobs: ${alert.newJobs} (now ${alert.total} in all)`,
          ...alert.sample.map(
            (job) =>
              `- ${job.name} ${job.id} at ${new Date(job.at).toISOString()}: ${job.reason.slice(0, 300)}`,
          ),
          'Inspect and replay them with the admin routes of the owning worker (GET /admin/dead-letters).',
        ],
        raisedAt: Date.now(),
      }
      const jobId = `ops-alert-${alert.queue.replace(/[^A-Za-z0-9_-]/g, '')}-${newestAt}`
      await email.add(message.kind, message, { jobId })
    }

    const runs: Record<ScheduleName, (job: Job) => Promise<object>> = {
      'reconcile-carts': async () => {
        const stats = await reconcileCarts(
          {
            redis: carts,
            db: app.db,
            enqueueSync: async (userIds) => {
              await persistence.addBulk(syncJobsOf(userIds, 'reconciliation'))
            },
            now: Date.now,
            signal: shutdown.signal,
          },
          { batchSize: config.RECONCILE_BATCH_SIZE, graceMs: config.RECONCILE_GRACE_MS },
        )
        const outcomes = {
          in_sync: stats.inSync,
          behind: stats.behind,
          differing: stats.differing,
          recent: stats.recent,
          ahead: stats.ahead,
          invalid: stats.invalid,
        }
        for (const [outcome, count] of Object.entries(outcomes))
          metrics.reconciledCarts.inc({ outcome }, count)
        if (stats.ahead > 0)
          app.log.warn(
            { alert: 'cart-redis-behind-postgres', count: stats.ahead, sample: stats.aheadSample },
            'carts in Redis are older than their PostgreSQL copy (Redis restored from an old snapshot?)',
          )
        return stats
      },
      'resync-carts': async () => {
        const stats = await resyncCarts(
          {
            redis: carts,
            db: app.db,
            persist: async (commits) => {
              await persistence.addBulk(persistJobsOf(commits))
            },
            now: Date.now,
            signal: shutdown.signal,
          },
          {
            batchSize: config.RESYNC_BATCH_SIZE,
            pauseMs: config.RESYNC_BATCH_PAUSE_MS,
            cartTtlSeconds: config.CART_TTL_SECONDS,
          },
        )
        metrics.restoredCarts.inc(stats.restored)
        return stats
      },
      'remind-abandoned-carts': async () => {
        const stats = await remindAbandonedCarts(
          {
            redis: carts,
            db: app.db,
            enqueueReminder: async (message: AbandonedCartEmail) => {
              await email.add(message.kind, message, {
                jobId: abandonedCartJobId(message),
              })
            },
            now: Date.now,
            signal: shutdown.signal,
          },
          {
            idleAfterMs: config.ABANDONED_AFTER_MS,
            maxIdleMs: config.ABANDONED_MAX_IDLE_MS,
            batchSize: config.ABANDONED_BATCH_SIZE,
            cartUrl: new URL('/cart', config.SHOP_URL).toString(),
          },
        )
        metrics.reminders.inc(stats.reminded)
        return stats
      },
      'watch-dead-letters': async () =>
        watchDeadLetters({
          watched,
          watermarks: {
            get: async (queue) => Number((await queues.hget(watermarkKey, queue)) ?? 0),
            set: async (queue, at) => {
              await queues.hset(watermarkKey, queue, at)
            },
          },
          alert: raiseAlert,
        }),
    }

    const workersByName = scheduleNames.map((name) => {
      const worker = new Worker(
        scheduleQueueName(name),
        async (job) => {
          const stop = metrics.runSeconds.startTimer({ schedule: name })
          try {
            const result = await runs[name](job)
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
      )
      worker.on('error', (error) => app.log.warn({ err: error, schedule: name }, 'scheduler worker error'))
      return worker
    })

    app.decorate('schedules', { queues: schedules, periods })
    app.addReadinessCheck('redis', () => queues.ping())
    app.addHook('onReady', async () => {
      // Idempotent: every instance upserts the same schedulers; a changed period replaces the old one.
      for (const name of scheduleNames) {
        await schedules[name].setGlobalConcurrency(1)
        await schedules[name].upsertJobScheduler(name, { every: periods[name] }, { name })
      }
      for (const worker of workersByName)
        void worker.run().catch((error: unknown) => app.log.error({ err: error }, 'scheduler worker stopped'))
    })
    // preClose: runs in progress finish while the database and Redis are still there.
    app.addHook('preClose', async () => {
      shutdown.abort()
      await Promise.all(workersByName.map((worker) => worker.close()))
    })
    app.addHook('onClose', async () => {
      await Promise.all(allQueues.map((queue) => queue.close()))
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())))
    })
  },
  { name: 'scheduled-jobs', dependencies: ['database', 'metrics', 'health'] },
)
