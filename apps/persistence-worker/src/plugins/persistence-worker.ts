import {
  CartPersistJob,
  CartSyncJob,
  cartPersistenceJobNames,
  type DeadLetterJob,
  queueNames,
  retryingJobOptions,
  stalledJobDetection,
  syncJobsOf,
} from '@bookstore/events'
import {
  bindQueueLifecycle,
  createPatientRedis,
  failAttempt,
  registerQueueDepthMetric,
} from '@bookstore/service-kit'
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Check } from 'typebox/value'
import { deadLetter } from '../domain/dead-letter'
import { lagsOf, type PersistOutcome, persistCarts } from '../domain/persist-carts'
import { isDatabaseUnavailable, rootMessage } from '../domain/pg-errors'
import { createPersistenceMetrics } from './persistence-metrics'

declare module 'fastify' {
  interface FastifyInstance {
    /** The dead-letter queue (parked jobs) and the queue replays go back to. */
    deadLetters: { dlq: Queue<DeadLetterJob>; target: Queue }
  }
}

export interface PersistenceWorkerOptions {
  redisUrl: string
  prefix: string
  concurrency: number
  syncAttempts: number
  syncBackoffMs: number
  databaseRetryMaxMs: number
  stalledJobTimeoutMs: number
}

/**
 * Consumes `{cart-persistence}` (SPEC P1-P4). A job's carts are read from Redis as they are NOW and
 * written in one transaction, guarded by version. While PostgreSQL is unreachable a job waits
 * (delayed, with growing pauses) without spending its attempts; any other failure spends one, with
 * exponential backoff; the last failed attempt parks the job in the dead-letter queue, counts an
 * alert and enqueues a full-cart sync of its users.
 */
export const persistenceWorkerPlugin = fp(
  async (app: FastifyInstance, options: PersistenceWorkerOptions) => {
    const reader = createPatientRedis(options.redisUrl, 'persistence-reader', { autoPipeline: true })
    const producerConnection = createPatientRedis(options.redisUrl, 'persistence-producer')
    const workerConnection = createPatientRedis(options.redisUrl, 'persistence-worker')

    const target = new Queue(queueNames.cartPersistence, {
      connection: producerConnection,
      prefix: options.prefix,
      defaultJobOptions: retryingJobOptions(options.syncAttempts, options.syncBackoffMs),
    })
    const dlq = new Queue<DeadLetterJob>(queueNames.cartPersistenceDeadLetter, {
      connection: producerConnection,
      prefix: options.prefix,
    })
    const metrics = createPersistenceMetrics(app.metrics, () => dlq.getWaitingCount())
    registerQueueDepthMetric(app.metrics, [target, dlq])

    const record = (job: string, outcome: PersistOutcome) => {
      metrics.jobs.inc({ job, result: 'done' })
      metrics.cartWrites.inc(outcome.written.length)
      metrics.itemWrites.inc({ op: 'upsert' }, outcome.itemUpserts)
      metrics.itemWrites.inc({ op: 'delete' }, outcome.itemDeletes)
      metrics.missingCarts.inc(outcome.missing.length)
    }

    async function apply(job: Job): Promise<void> {
      const deps = { redis: reader, db: app.db }
      if (job.name === cartPersistenceJobNames.persist) {
        if (!Check(CartPersistJob, job.data)) throw new UnrecoverableError('invalid persist-carts payload')
        const { commits } = job.data
        metrics.commits.inc(commits.length)
        const outcome = await persistCarts(
          deps,
          commits.map((commit) => commit.userId),
          'newer',
        )
        const now = Date.now()
        for (const lagMs of lagsOf(commits, outcome.written, now)) metrics.lag.observe(lagMs / 1000)
        record(job.name, outcome)
        return
      }
      if (job.name === cartPersistenceJobNames.sync) {
        if (!Check(CartSyncJob, job.data)) throw new UnrecoverableError('invalid sync-carts payload')
        record(job.name, await persistCarts(deps, job.data.userIds, 'sync'))
        return
      }
      throw new UnrecoverableError(`unknown job name ${job.name}`)
    }

    /** The last attempt failed (or cannot succeed): park the job, alert, and repair its carts. */
    async function park(job: Job, error: Error) {
      const entry = await deadLetter(dlq, job, rootMessage(error))
      metrics.jobs.inc({ job: job.name, result: 'dead_lettered' })
      metrics.alerts.inc()
      app.log.error(
        {
          alert: 'cart-persistence-dead-letter',
          jobId: job.id,
          job: job.name,
          userIds: entry.userIds,
          err: error,
        },
        'persistence job dead-lettered after its last attempt',
      )
      // A failed sync is not followed by another (no loop): it waits in the DLQ for an admin.
      if (job.name !== cartPersistenceJobNames.sync && entry.userIds.length > 0)
        await target.addBulk(syncJobsOf(entry.userIds, `dead-lettered job ${job.id}`))
    }

    // Pauses while PostgreSQL is away grow with each consecutive failure, and reset on success.
    let unavailableStreak = 0
    const worker = new Worker(
      queueNames.cartPersistence,
      async (job, token) => {
        try {
          await apply(job)
          unavailableStreak = 0
        } catch (error) {
          if (isDatabaseUnavailable(error) && !(error instanceof UnrecoverableError)) {
            unavailableStreak += 1
            const pause = Math.min(options.databaseRetryMaxMs, 100 * 2 ** Math.min(unavailableStreak, 16))
            metrics.jobs.inc({ job: job.name, result: 'waiting_for_database' })
            app.log.warn(
              { jobId: job.id, pauseMs: pause },
              'postgres unreachable: job waits without spending an attempt',
            )
            await job.moveToDelayed(Date.now() + pause, token)
            throw new DelayedError()
          }
          metrics.jobs.inc({ job: job.name, result: 'failed' })
          throw await failAttempt(job, error, {
            unrecoverable: error instanceof UnrecoverableError,
            park,
            log: app.log,
            what: 'persistence job',
          })
        }
      },
      {
        connection: workerConnection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        autorun: false,
        ...stalledJobDetection(options.stalledJobTimeoutMs),
      },
    )
    bindQueueLifecycle(app, {
      connections: [reader, producerConnection, workerConnection],
      queues: [target, dlq],
      workers: [worker],
    })
    app.decorate('deadLetters', { dlq, target })
    app.addReadinessCheck('redis', () => reader.ping())
  },
  { name: 'persistence-worker', dependencies: ['database', 'metrics', 'health'] },
)
