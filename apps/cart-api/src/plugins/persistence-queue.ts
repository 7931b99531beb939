import { type CartPersistJob, queueNames } from '@bookstore/events'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'
import { createPersistenceBatcher, type PersistenceBatcher } from '../domain/persistence-batcher'

declare module 'fastify' {
  interface FastifyInstance {
    persistence: PersistenceBatcher
  }
}

/**
 * The producer side of cart persistence (SPEC P1): every committed change is put on the
 * cart-persistence queue; changes that arrive while one job is being enqueued go into the next
 * (group commit). It shares the app's Redis connection, which fails fast, so an unreachable queue
 * costs a request nothing but a logged, counted failure.
 */
export const persistenceQueuePlugin = fp(
  async (app: FastifyInstance, options: { prefix: string }) => {
    const queue = new Queue<CartPersistJob>(queueNames.cartPersistence, {
      connection: app.redis,
      prefix: options.prefix,
      defaultJobOptions: {
        attempts: 10,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    })
    queue.on('error', (error) => app.log.warn({ err: error }, 'persistence queue error'))
    const enqueueFailures = new Counter({
      name: 'cart_persistence_enqueue_failures_total',
      help: 'Cart changes whose persistence job could not be enqueued',
      registers: [app.metrics],
    })

    const batcher = createPersistenceBatcher({
      enqueue: (commits) => queue.add('persist-carts', { commits }),
      onError: (error, commits) => {
        enqueueFailures.inc(commits.length)
        app.log.error({ err: error, commits }, 'could not enqueue a cart persistence job')
      },
    })
    app.decorate('persistence', batcher)
    app.addHook('onClose', async () => {
      await batcher.drain()
      await queue.close()
    })
  },
  { name: 'persistence-queue', dependencies: ['redis', 'metrics'] },
)
