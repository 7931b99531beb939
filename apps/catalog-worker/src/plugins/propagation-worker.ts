import {
  type CartCommit,
  type CartPersistJob,
  CatalogEventJob,
  catalogJobId,
  catalogQueueNames,
  persistJobsOf,
  queueNames,
  retryingJobOptions,
  stalledJobDetection,
} from '@bookstore/events'
import { loadCatalogScripts } from '@bookstore/lua'
import { bindQueueLifecycle, createPatientRedis, registerQueueDepthMetric } from '@bookstore/service-kit'
import { type Job, Queue, Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Histogram } from 'prom-client'
import { Check } from 'typebox/value'
import { type SweepSettings, sweepBook } from '../domain/sweep-book'

export interface PropagationWorkerOptions {
  redisUrl: string
  queuePrefix: string
  concurrency: number
  sweep: SweepSettings
  resweepDelayMs: number
  stalledJobTimeoutMs: number
}

/**
 * The consumer of catalog events. Its Redis connections retry forever (a worker waits for Redis
 * to come back rather than fail jobs). Every event is swept twice: at once, and again after
 * RESWEEP_DELAY_MS for carts that added the book with its old state meanwhile (docs/catalog.md).
 */
export const propagationWorkerPlugin = fp(
  async (app: FastifyInstance, options: PropagationWorkerOptions) => {
    const redis = createPatientRedis(options.redisUrl, 'catalog-worker')
    const workerConnection = createPatientRedis(options.redisUrl, 'catalog-worker-bull')

    const persistence = new Queue<CartPersistJob>(queueNames.cartPersistence, {
      connection: redis,
      prefix: options.queuePrefix,
      defaultJobOptions: retryingJobOptions(10, 500),
    })
    const catalogEvents = new Queue<CatalogEventJob>(catalogQueueNames.catalogEvents, {
      connection: redis,
      prefix: options.queuePrefix,
    })
    registerQueueDepthMetric(app.metrics, [catalogEvents])

    const cartsUpdated = new Counter({
      name: 'catalog_propagation_carts_updated_total',
      help: 'Carts changed by catalog propagation',
      registers: [app.metrics],
    })
    const sweepSeconds = new Histogram({
      name: 'catalog_propagation_sweep_seconds',
      help: 'Time to sweep the carts of one book for one catalog event',
      labelNames: ['sweep'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
      registers: [app.metrics],
    })

    const persist = async (commits: CartCommit[]) => {
      await persistence.addBulk(persistJobsOf(commits))
    }

    const handle = async (job: Job<CatalogEventJob>) => {
      if (!Check(CatalogEventJob, job.data)) throw new Error(`job ${job.id} is not a catalog event job`)
      const { event, sweep } = job.data
      if (sweep === 1 && event.type !== 'book.created') {
        // Scheduled first: the second sweep must happen even if this one dies half-way.
        await catalogEvents.add(
          event.type,
          { event, sweep: 2 },
          {
            jobId: catalogJobId(event.eventId, 2),
            delay: options.resweepDelayMs,
            ...retryingJobOptions(20, 500, 3600),
          },
        )
      }
      const timer = sweepSeconds.startTimer({ sweep: String(sweep) })
      // A job taken up again (retried, or taken over from a worker that died mid-sweep) may find
      // carts its earlier try changed but never enqueued for persistence: it enqueues those too.
      const stats = await sweepBook({ redis, persist, settings: options.sweep }, event, {
        includeUnchanged: job.attemptsMade > 0 || job.attemptsStarted > 1,
      })
      timer()
      cartsUpdated.inc(stats.committed)
      app.log.info(
        { eventId: event.eventId, bookId: event.bookId, type: event.type, sweep, ...stats },
        'catalog event applied',
      )
      return stats
    }

    const worker = new Worker<CatalogEventJob>(catalogQueueNames.catalogEvents, handle, {
      connection: workerConnection,
      prefix: options.queuePrefix,
      concurrency: options.concurrency,
      autorun: false,
      ...stalledJobDetection(options.stalledJobTimeoutMs),
    })
    worker.on('failed', (job, error) =>
      app.log.error({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'catalog event failed'),
    )

    bindQueueLifecycle(app, {
      connections: [redis, workerConnection],
      queues: [persistence, catalogEvents],
      workers: [worker],
    })
    await loadCatalogScripts(redis)
    app.addReadinessCheck('redis', () => redis.ping())
  },
  { name: 'propagation-worker', dependencies: ['metrics', 'health'] },
)
