import { readPersistenceBacklog } from '@bookstore/cart-store'
import { createPatientRedis, quitRedis } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Gauge } from 'prom-client'

/**
 * The backlog as operators see it (SPEC P3, E2), read at scrape time: the age of the oldest change
 * not in PostgreSQL yet and the carts waiting in the durable spool (queue depth per state is the
 * kit's `queue_jobs`). The scheduler's `watch-persistence-lag` alerts on the same figure.
 */
export const backlogMetricsPlugin = fp(
  async (app: FastifyInstance, options: { redisUrl: string; prefix: string }) => {
    const redis = createPatientRedis(options.redisUrl, 'persistence-backlog')
    redis.on('error', (error) => app.log.warn({ err: error }, 'persistence backlog connection error'))
    // One read per scrape, whichever gauge asks first.
    let reading: ReturnType<typeof readPersistenceBacklog> | undefined
    const backlog = () => {
      reading ??= readPersistenceBacklog(redis, options.prefix).finally(() => {
        reading = undefined
      })
      return reading
    }
    const registers = [app.metrics]
    new Gauge({
      name: 'cart_persistence_oldest_unpersisted_seconds',
      help: 'Age of the oldest cart change not in PostgreSQL yet (queued or spooled; 0: none)',
      registers,
      async collect() {
        try {
          const { oldestAt } = await backlog()
          this.set(oldestAt === undefined ? 0 : Math.max(0, (Date.now() - oldestAt) / 1000))
        } catch {
          // Redis away: the scrape still answers, without a fresh figure.
        }
      },
    })
    new Gauge({
      name: 'cart_persistence_spool_marks',
      help: 'Carts marked in the durable spool by cart-api instances whose queue could not take them yet',
      registers,
      async collect() {
        try {
          this.set((await backlog()).spooled)
        } catch {
          // Redis away, as above.
        }
      },
    })
    app.addHook('onClose', () => quitRedis(redis))
  },
  { name: 'backlog-metrics', dependencies: ['metrics'] },
)
