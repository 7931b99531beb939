import { readPersistenceBacklog } from '@bookstore/cart-store'
import type { Database } from '@bookstore/db'
import {
  type AbandonedCartEmail,
  abandonedCartJobId,
  type EmailJob,
  type ExpireHoldsJob,
  type OpsAlertEmail,
  persistJobsOf,
  type SweepOrdersJob,
  syncJobsOf,
} from '@bookstore/events'
import { masterNodes, type RedisClient } from '@bookstore/service-kit'
import type { Queue } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import type { SchedulerConfig } from '../config'
import { remindAbandonedCarts } from '../domain/abandoned-carts'
import {
  type DeadLetterAlert,
  opsAlertEmailOf,
  type WatchedQueue,
  watchDeadLetters,
} from '../domain/dead-letter-watch'
import { persistenceLagEmailOf, watchPersistenceLag } from '../domain/persistence-lag-watch'
import { reconcileCarts } from '../domain/reconcile-carts'
import { parseMemoryInfo, redisMemoryEmailOf, watchRedisMemory } from '../domain/redis-memory-watch'
import { resyncCarts } from '../domain/resync-carts'
import type { ScheduleName } from '../schedules'
import type { SchedulerMetrics } from './scheduler-metrics'

export interface ScheduleRunDeps {
  config: SchedulerConfig
  db: Database
  log: FastifyBaseLogger
  metrics: SchedulerMetrics
  /** Reads and restores carts (auto-pipelined). */
  carts: RedisClient
  /** The queues' connection; also holds the dead-letter watermarks. */
  queues: RedisClient
  persistence: Queue
  email: Queue<EmailJob>
  /** The checkout saga's queues (book-api's reservations, order-api's saga). */
  saga: { stockReservations: Queue; orderSaga: Queue }
  watched: readonly WatchedQueue[]
  /** Aborted on shutdown: long sweeps stop between pages. */
  signal: AbortSignal
}

/** What one run of each schedule does, wired to the app's stores and queues; each returns its figures. */
export function createScheduleRuns(deps: ScheduleRunDeps): Record<ScheduleName, () => Promise<object>> {
  const { config, db, log, metrics, carts, queues, persistence, email, saga, watched, signal } = deps
  const watermarkKey = `${config.QUEUE_PREFIX}:scheduler:dead-letter-watermarks`
  const lagEpisodeKey = `${config.QUEUE_PREFIX}:scheduler:persistence-lag-alert`
  const memoryEpisodeKey = `${config.QUEUE_PREFIX}:scheduler:redis-memory-alert`
  /** The ops alert path (SPEC S3): an error line named by `alert`, and an e-mail when an address is set. */
  const opsAlert = async (
    fields: { alert: string } & Record<string, unknown>,
    message: string,
    emailOf: (to: string, now: number) => { email: OpsAlertEmail; jobId: string },
  ) => {
    log.error(fields, message)
    if (!config.OPS_ALERT_EMAIL) return
    const { email: mail, jobId } = emailOf(config.OPS_ALERT_EMAIL, Date.now())
    await email.add(mail.kind, mail, { jobId })
  }
  const raiseAlert = async (alert: DeadLetterAlert) => {
    metrics.deadLetterAlerts.inc({ queue: alert.queue })
    metrics.deadLetteredJobs.inc({ queue: alert.queue }, alert.newJobs)
    await opsAlert(
      { alert: 'dead-letter', ...alert },
      `${alert.newJobs} job(s) dead-lettered on ${alert.queue}`,
      (to, now) => opsAlertEmailOf(alert, to, now),
    )
  }

  return {
    'reconcile-carts': async () => {
      const stats = await reconcileCarts(
        {
          redis: carts,
          db,
          enqueueSync: async (userIds) => {
            await persistence.addBulk(syncJobsOf(userIds, 'reconciliation'))
          },
          now: Date.now,
          signal,
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
      for (const [outcome, count] of Object.entries(outcomes)) metrics.reconciledCarts.inc({ outcome }, count)
      if (stats.ahead > 0)
        log.warn(
          { alert: 'cart-redis-behind-postgres', count: stats.ahead, sample: stats.aheadSample },
          'carts in Redis are older than their PostgreSQL copy (Redis restored from an old snapshot?): synced, Redis content kept',
        )
      return stats
    },
    'resync-carts': async () => {
      const stats = await resyncCarts(
        {
          redis: carts,
          db,
          persist: async (commits) => {
            await persistence.addBulk(persistJobsOf(commits))
          },
          now: Date.now,
          signal,
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
          db,
          enqueueReminder: async (message: AbandonedCartEmail) => {
            await email.add(message.kind, message, {
              jobId: abandonedCartJobId(message),
            })
          },
          now: Date.now,
          signal,
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
    'sweep-orders': async () => {
      // Both sweeps run in the apps that own the rows (book-api's holds, order-api's orders): the
      // scheduler only makes them happen once per period.
      const expireHolds: ExpireHoldsJob = { kind: 'expire-holds' }
      const sweepOrders: SweepOrdersJob = { kind: 'sweep-orders' }
      // One sweep waiting at a time: while the last one is still queued (its worker away), a
      // new period adds nothing, so a backlog never piles up sweeps.
      await saga.stockReservations.add(expireHolds.kind, expireHolds, { jobId: expireHolds.kind })
      await saga.orderSaga.add(sweepOrders.kind, sweepOrders, { jobId: sweepOrders.kind })
      return { enqueued: 2 }
    },
    'watch-persistence-lag': async () =>
      watchPersistenceLag(
        {
          backlog: () => readPersistenceBacklog(queues, config.QUEUE_PREFIX),
          episode: {
            get: async () => {
              const at = await queues.get(lagEpisodeKey)
              return at === null ? undefined : Number(at)
            },
            set: async (oldestAt) => {
              await queues.set(lagEpisodeKey, String(oldestAt))
            },
            clear: async () => {
              await queues.del(lagEpisodeKey)
            },
          },
          alert: async (alert) => {
            metrics.persistenceLagAlerts.inc()
            await opsAlert(
              { alert: 'persistence-lag', ...alert },
              `cart persistence is ${Math.round(alert.oldestAgeMs / 1000)} s behind (bound ${alert.boundMs} ms)`,
              (to, now) => persistenceLagEmailOf(alert, to, now),
            )
          },
          recovered: (backlog) =>
            log.info({ alert: 'persistence-lag', resolved: true, ...backlog }, 'cart persistence caught up'),
          now: Date.now,
        },
        { boundMs: config.PERSIST_LAG_ALERT_MS },
      ),
    'watch-redis-memory': async () =>
      watchRedisMemory(
        {
          // Every master of a Cluster fills up on its own: each is a node of its own.
          read: () =>
            Promise.all(
              masterNodes(carts).map(async (node) =>
                parseMemoryInfo(`${node.options.host}:${node.options.port}`, await node.info('memory')),
              ),
            ),
          report: (memory, ratio) => metrics.redisMemoryRatio.set({ node: memory.node }, ratio),
          episode: {
            get: async () => (await queues.get(memoryEpisodeKey)) ?? undefined,
            set: async (node) => {
              await queues.set(memoryEpisodeKey, node)
            },
            clear: async () => {
              await queues.del(memoryEpisodeKey)
            },
          },
          alert: async (alert) => {
            metrics.redisMemoryAlerts.inc()
            await opsAlert(
              { alert: 'redis-memory', ...alert },
              `Redis ${alert.node} is ${Math.round(alert.ratio * 100)}% full (alert at ${Math.round(alert.alertRatio * 100)}%)`,
              (to, now) => redisMemoryEmailOf(alert, to, now),
            )
          },
          recovered: (fullest) =>
            log.info(
              { alert: 'redis-memory', resolved: true, ...fullest },
              'Redis memory back under the alert ratio',
            ),
        },
        { alertRatio: config.REDIS_MEMORY_ALERT_RATIO },
      ),
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
}
