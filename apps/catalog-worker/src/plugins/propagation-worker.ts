import {
  type CartCommit,
  type CartPersistJob,
  catalogQueueNames,
  persistJobsOf,
  queueNames,
  retryingJobOptions,
} from '@bookstore/events'
import { loadCatalogScripts } from '@bookstore/lua'
import { createPatientRedis } from '@bookstore/service-kit'
import { type QueueWorkerSettings, queueWorker } from '@bookstore/service-kit/queue-worker'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Histogram } from 'prom-client'
import { applyCatalogEvent, InvalidCatalogEventError } from '../domain/catalog-event'
import type { SweepSettings } from '../domain/sweep-book'

export interface PropagationWorkerOptions {
  worker: QueueWorkerSettings
  sweep: SweepSettings
  resweepDelayMs: number
}

/**
 * The consumer of catalog events, on the queue-worker kit: applyCatalogEvent sweeps the carts of
 * each event's book, twice. Its Redis connections retry forever (a worker waits for Redis to come
 * back rather than fail jobs). A job that fails its last attempt stays in the queue's failed set,
 * which the scheduler's dead-letter watch reads.
 */
export const propagationWorkerPlugin = fp(
  async (app: FastifyInstance, options: PropagationWorkerOptions) => {
    const redis = createPatientRedis(options.worker.redisUrl, 'catalog-worker')
    const persistence = new Queue<CartPersistJob>(queueNames.cartPersistence, {
      connection: redis,
      prefix: options.worker.prefix,
      defaultJobOptions: retryingJobOptions(10, 500),
    })
    const persist = async (commits: CartCommit[]) => {
      await persistence.addBulk(persistJobsOf(commits))
    }

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

    await app.register(queueWorker, {
      ...options.worker,
      name: 'catalog-propagation',
      queue: catalogQueueNames.catalogEvents,
      what: 'catalog event',
      metricPrefix: 'catalog_propagation',
      process: async (job, { target }) => {
        const deps = {
          redis,
          persist,
          settings: options.sweep,
          catalogEvents: target,
          resweepDelayMs: options.resweepDelayMs,
        }
        const retried = job.attemptsMade > 0 || job.attemptsStarted > 1
        const {
          event,
          sweep,
          stats,
          sweepSeconds: seconds,
        } = await applyCatalogEvent(deps, {
          id: String(job.id),
          data: job.data,
          retried,
        })
        sweepSeconds.observe({ sweep: String(sweep) }, seconds)
        cartsUpdated.inc(stats.committed)
        app.log.info(
          { eventId: event.eventId, bookId: event.bookId, type: event.type, sweep, ...stats },
          'catalog event applied',
        )
        return stats
      },
      isPermanent: (error) => error instanceof InvalidCatalogEventError,
      closes: { connections: [redis], queues: [persistence] },
    })
    // After the kit has its close hooks: an app closed after a failed load closes this connection too.
    await loadCatalogScripts(redis)
  },
  { name: 'propagation-worker', dependencies: ['metrics', 'health'] },
)
