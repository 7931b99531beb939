import { readDurableCarts, restoreCart } from '@bookstore/cart-store'
import { persistJobsOf, queueNames, retryingJobOptions } from '@bookstore/events'
import { connectRedis, createRedis, openDatabasePool, quitRedis } from '@bookstore/service-kit'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** The restored cart's JSON and version, or undefined when nothing can be restored here. */
export type CartRestorer = (userId: string) => Promise<{ cartJson: string; version: number } | undefined>

declare module 'fastify' {
  interface FastifyInstance {
    restoreMissingCart: CartRestorer
  }
}

export interface CartRestoreOptions {
  databaseUrl: string | undefined
  poolSize: number
  redisUrl: string
  queuePrefix: string
  cartTtlSeconds: number
}

/**
 * SPEC C5 for sockets (issue 18): a hello for a cart that is missing from Redis (expired, or Redis
 * lost it) restores the durable copy with cart-api's rules (packages/cart-store) instead of showing
 * an empty cart. A restored state that took a version of its own is persisted like a change. Used
 * only on a miss, never on the path of a cart Redis holds; not a readiness check (sockets of carts
 * in Redis are served while PostgreSQL is away).
 */
export const cartRestorePlugin = fp(
  async (app: FastifyInstance, options: CartRestoreOptions) => {
    if (!options.databaseUrl) {
      app.decorate('restoreMissingCart', async () => undefined)
      return
    }
    const { db } = openDatabasePool(app, {
      url: options.databaseUrl,
      poolSize: options.poolSize,
      applicationName: 'realtime-gateway',
    })
    // A producer fails fast: the commit's version is in Redis already; reconciliation repairs a lost add.
    const connection = createRedis(options.redisUrl, 'realtime-gateway-queue')
    connection.on('error', (error) => app.log.warn({ err: error }, 'persistence queue connection error'))
    await connectRedis(connection).catch((error: unknown) =>
      app.log.error({ err: error }, 'persistence queue unreachable at start'),
    )
    const persistence = new Queue(queueNames.cartPersistence, {
      connection,
      prefix: options.queuePrefix,
      // As cart-api's persistence jobs (its PERSISTENCE_JOB_ATTEMPTS / _BACKOFF_MS defaults).
      defaultJobOptions: retryingJobOptions(10, 500),
    })
    persistence.on('error', (error) => app.log.warn({ err: error }, 'persistence queue error'))
    app.addHook('onClose', async () => {
      await persistence.close()
      await quitRedis(connection)
    })
    app.decorate('restoreMissingCart', async (userId: string) => {
      const durable = (await readDurableCarts(db, [userId])).get(userId)
      const restored = await restoreCart(
        { redis: app.redis, cartTtlSeconds: options.cartTtlSeconds, now: Date.now },
        userId,
        durable,
      )
      if (restored.commit)
        await persistence.addBulk(persistJobsOf([restored.commit])).catch((error: unknown) => {
          app.log.warn({ err: error, userId }, 'a restored cart was not queued for persistence')
        })
      return { cartJson: restored.cartJson, version: restored.version }
    })
  },
  { name: 'cart-restore', dependencies: ['redis'] },
)
