import type { Queue, Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import { connectionNameOf, type RedisClient } from './redis-client'
import { quitRedis } from './redis-plugin'

export interface QueueParts {
  /** The Redis connections the app made for its queues and workers: quit last. */
  connections: readonly RedisClient[]
  queues: readonly Queue[]
  workers?: readonly Worker[]
}

/**
 * Ties a worker app's BullMQ parts to the app's life, the same way in every worker:
 * - every 'error' event is logged (one that nobody hears would crash the process);
 * - the workers start once the app is ready;
 * - on shutdown the workers close first, in preClose, so that jobs in flight finish while the
 *   database and Redis are still there; then, on close, the queues, then the connections.
 * A preClose hook the app adds before this call runs before the workers close.
 */
export function bindQueueLifecycle(app: FastifyInstance, parts: QueueParts): void {
  const { connections, queues, workers = [] } = parts
  for (const connection of connections)
    connection.on('error', (error) =>
      app.log.warn({ err: error, connection: connectionNameOf(connection) }, 'redis connection error'),
    )
  for (const queue of queues)
    queue.on('error', (error) => app.log.warn({ err: error, queue: queue.name }, 'queue error'))
  for (const worker of workers)
    worker.on('error', (error) => app.log.warn({ err: error, queue: worker.name }, 'worker error'))

  app.addHook('onReady', async () => {
    for (const worker of workers)
      void worker
        .run()
        .catch((error: unknown) => app.log.error({ err: error, queue: worker.name }, 'worker stopped'))
  })
  app.addHook('preClose', async () => {
    await Promise.all(workers.map((worker) => worker.close()))
  })
  app.addHook('onClose', async () => {
    await Promise.all(queues.map((queue) => queue.close()))
    await Promise.all(connections.map(quitRedis))
  })
}
