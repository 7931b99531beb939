import {
  type CartPersistJob,
  cartPersistenceJobNames,
  queueNames,
  retryingJobOptions,
} from '@bookstore/events'
import { connectRedis, createRedis, quitRedis } from '@bookstore/service-kit'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import { createPersistenceBatcher, type PersistenceBatcher } from '../domain/persistence-batcher'
import { createPersistenceSpool } from '../domain/persistence-spool'

declare module 'fastify' {
  interface FastifyInstance {
    persistence: PersistenceBatcher
  }
}

export interface PersistenceQueueOptions {
  prefix: string
  /** The queue's own Redis (QUEUE_REDIS_URL, by default the cart store's). */
  url: string
  enqueueTimeoutMs: number
  spoolMaxUsers: number
  spoolRetryMs: number
  jobAttempts: number
  jobBackoffMs: number
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`queue add timed out after ${ms} ms`)), ms).unref(),
    ),
  ])

/**
 * The producer side of cart persistence (SPEC P1, P5): every committed change is put on the
 * cart-persistence queue; changes that arrive while one job is being enqueued go into the next
 * (group commit). The queue has its own connection, which fails fast: when the queue cannot be
 * reached, the request is still answered (the change is committed in Redis) and its commit waits in
 * the spool, which puts it on the queue once the queue takes jobs again.
 */
export const persistenceQueuePlugin = fp(
  async (app: FastifyInstance, options: PersistenceQueueOptions) => {
    const connection = createRedis(options.url, 'cart-api-queue')
    connection.on('error', (error) => app.log.warn({ err: error }, 'persistence queue connection error'))
    // The queue being away at start must not stop cart-api: the spool covers it.
    await connectRedis(connection).catch((error: unknown) =>
      app.log.error({ err: error }, 'persistence queue unreachable at start'),
    )
    const queue = new Queue<CartPersistJob>(queueNames.cartPersistence, {
      connection,
      prefix: options.prefix,
      // Attempts on failures other than PostgreSQL being away (the worker waits that out for free).
      defaultJobOptions: retryingJobOptions(options.jobAttempts, options.jobBackoffMs),
    })
    queue.on('error', (error) => app.log.warn({ err: error }, 'persistence queue error'))
    const enqueue = (commits: CartPersistJob['commits']) =>
      withTimeout(queue.add(cartPersistenceJobNames.persist, { commits }), options.enqueueTimeoutMs)

    const registers = [app.metrics]
    const enqueueFailures = new Counter({
      name: 'cart_persistence_enqueue_failures_total',
      help: 'Cart commits whose persistence job could not be enqueued at once (they went to the spool)',
      registers,
    })
    const dropped = new Counter({
      name: 'cart_persistence_spool_dropped_total',
      help: 'Commits the full spool could not keep (left to reconciliation)',
      registers,
    })
    const replayed = new Counter({
      name: 'cart_persistence_spool_replayed_total',
      help: 'Spooled commits put on the queue once it was back',
      registers,
    })
    const spool = createPersistenceSpool({
      enqueue,
      maxUsers: options.spoolMaxUsers,
      retryMs: options.spoolRetryMs,
      onDropped: (commit) => {
        dropped.inc()
        app.log.error({ commit }, 'persistence spool full: commit dropped (reconciliation repairs it)')
      },
      onRetryFailed: (error, size) =>
        app.log.warn({ err: error, spooled: size }, 'persistence queue still unreachable'),
      onReplayed: (commits) => {
        replayed.inc(commits.length)
        app.log.info({ commits: commits.length }, 'spooled commits enqueued')
      },
    })
    new Gauge({
      name: 'cart_persistence_spool_carts',
      help: 'Carts whose newest commit waits in the spool for the queue',
      registers,
      collect() {
        this.set(spool.size())
      },
    })

    const batcher = createPersistenceBatcher({
      enqueue,
      onError: (error, commits) => {
        enqueueFailures.inc(commits.length)
        app.log.error({ err: error, commits: commits.length }, 'could not enqueue a persistence job: spooled')
        spool.add(commits)
      },
    })
    app.decorate('persistence', batcher)
    app.addHook('onClose', async () => {
      await batcher.drain()
      const left = await spool.close()
      if (left > 0)
        app.log.error(
          { spooled: left },
          'commits left in the spool at shutdown (reconciliation repairs them)',
        )
      await queue.close()
      await quitRedis(connection)
    })
  },
  { name: 'persistence-queue', dependencies: ['metrics'] },
)
