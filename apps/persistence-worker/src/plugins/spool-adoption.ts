import { durableSpool } from '@bookstore/cart-store'
import { createPatientRedis, quitRedis } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'
import { adoptSpooledCarts } from '../domain/adopt-spooled'

export interface SpoolAdoptionOptions {
  /** The carts' Redis, where cart-api marks its spooled carts. */
  redisUrl: string
  prefix: string
  everyMs: number
  idleMs: number
}

/**
 * Every `everyMs`, the carts cart-api instances left in the durable spool for `idleMs` (an instance
 * that died with commits in its spool, or whose queue stays away) go onto the persistence queue as
 * full-cart syncs (SPEC P3, P5): PostgreSQL converges within seconds of such a crash.
 */
export const spoolAdoptionPlugin = fp(
  async (app: FastifyInstance, options: SpoolAdoptionOptions) => {
    const redis = createPatientRedis(options.redisUrl, 'persistence-spool')
    redis.on('error', (error) => app.log.warn({ err: error }, 'persistence spool connection error'))
    const spool = durableSpool(redis, options.prefix)
    const { target } = app.deadLetters.of('persistence')
    const registers = [app.metrics]
    const adopted = new Counter({
      name: 'cart_persistence_spool_adopted_total',
      help: 'Carts left in the durable spool by a cart-api (dead, or its queue away) that this worker put on the queue',
      registers,
    })

    let timer: NodeJS.Timeout | undefined
    let running: Promise<void> | undefined
    const adopt = async () => {
      try {
        const count = await adoptSpooledCarts(
          { spool, enqueue: (jobs) => target.addBulk(jobs), now: Date.now },
          { idleMs: options.idleMs, pageSize: 500 },
        )
        if (count > 0) {
          adopted.inc(count)
          app.log.warn({ carts: count }, 'carts left in the durable spool by a cart-api put on the queue')
        }
      } catch (error) {
        app.log.warn({ err: error }, 'could not adopt spooled carts; trying again')
      }
    }
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        running ??= adopt().finally(() => {
          running = undefined
        })
      }, options.everyMs)
      timer.unref()
    })
    app.addHook('preClose', async () => {
      clearInterval(timer)
      await running
    })
    app.addHook('onClose', () => quitRedis(redis))
  },
  { name: 'spool-adoption', dependencies: ['persistence-worker', 'metrics'] },
)
