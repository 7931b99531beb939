import { randomUUID } from 'node:crypto'
import { durableSpool } from '@bookstore/cart-store'
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
  /** Jobs being enqueued at once at most; beyond, commits go to the spool (overload). */
  enqueuesInFlight: number
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
 * The producer side of cart persistence (SPEC P1, P3, P5): every committed change is put on the
 * cart-persistence queue; changes that arrive while one job is being enqueued go into the next
 * (group commit). The queue has its own connection, which fails fast: when the queue cannot be
 * reached, or is so slow that adds would pile up, the request is still answered (the change is
 * committed in Redis) and its commit waits in the spool, marked durably in the carts' Redis, which
 * puts it on the queue once the queue takes jobs again. What a crash leaves in the spool,
 * persistence-worker persists from the marks.
 */
export const persistenceQueuePlugin = fp(
  async (app: FastifyInstance, options: PersistenceQueueOptions) => {
    // Names this process' marks in the durable spool: another instance's are not its to take out.
    const instance = `cart-api-${randomUUID()}`
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
      withTimeout(
        queue.add(
          cartPersistenceJobNames.persist,
          { commits },
          // The job's time is its oldest change's: the queue's age is then persistence's age.
          { timestamp: Math.min(...commits.map((commit) => commit.committedAt)) },
        ),
        options.enqueueTimeoutMs,
      )

    const registers = [app.metrics]
    const enqueueFailures = new Counter({
      name: 'cart_persistence_enqueue_failures_total',
      help: 'Cart commits whose persistence job could not be enqueued at once (they went to the spool)',
      registers,
    })
    const overflow = new Counter({
      name: 'cart_persistence_enqueue_overflow_total',
      help: 'Cart commits spooled because as many queue adds as allowed were in flight (overload)',
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
    const durableFailures = new Counter({
      name: 'cart_persistence_spool_mark_failures_total',
      help: 'Durable spool marks that could not be written or taken out (by step)',
      labelNames: ['step'],
      registers,
    })
    const marks = durableSpool(app.redis, options.prefix)
    const spool = createPersistenceSpool({
      enqueue,
      maxUsers: options.spoolMaxUsers,
      retryMs: options.spoolRetryMs,
      durable: {
        mark: (userIds, at) => marks.mark(instance, userIds, at),
        release: (userIds, upTo) => marks.release(instance, userIds, upTo),
      },
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
      onDurableFailed: (error, step) => {
        durableFailures.inc({ step })
        app.log.warn({ err: error, step }, 'durable spool mark failed (the commit waits in memory)')
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
    new Gauge({
      name: 'cart_persistence_spool_oldest_seconds',
      help: 'Age of the oldest commit waiting in the spool (0: none)',
      registers,
      collect() {
        const oldest = spool.oldestCommittedAt()
        this.set(oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000))
      },
    })

    const batcher = createPersistenceBatcher({
      enqueue,
      maxInFlight: options.enqueuesInFlight,
      onError: (error, commits) => {
        enqueueFailures.inc(commits.length)
        app.log.error({ err: error, commits: commits.length }, 'could not enqueue a persistence job: spooled')
        return spool.add(commits)
      },
      onOverflow: (commits) => {
        overflow.inc(commits.length)
        return spool.add(commits)
      },
    })
    app.decorate('persistence', batcher)
    app.log.info({ instance }, 'persistence queue ready')
    app.addHook('onClose', async () => {
      await batcher.drain()
      const left = await spool.close()
      if (left > 0)
        app.log.error(
          { spooled: left, instance },
          'commits left in the spool at shutdown: persistence-worker persists them from their durable marks',
        )
      await queue.close()
      await quitRedis(connection)
    })
  },
  { name: 'persistence-queue', dependencies: ['metrics', 'redis'] },
)
