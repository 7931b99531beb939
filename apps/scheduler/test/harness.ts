import { cartToRows, readStoredCarts } from '@bookstore/cart-store'
import { Cart, cartKeys, queueNames } from '@bookstore/events'
import {
  type Env,
  flushCluster,
  type LogLine,
  onRedisCluster,
  startStack as startTestStack,
  waitFor,
} from '@bookstore/test-kit'
import type { FastifyInstance } from 'fastify'
import { Check } from 'typebox/value'
import { type ScheduleName, scheduleQueueName } from '../src/schedules'

/** Periods long enough that nothing runs by itself during a test: tests run schedules on demand. */
export const manualPeriods = {
  RECONCILE_EVERY_MS: String(24 * 3600_000),
  RESYNC_EVERY_MS: String(24 * 3600_000),
  ABANDONED_CARTS_EVERY_MS: String(24 * 3600_000),
  DEAD_LETTER_WATCH_EVERY_MS: String(24 * 3600_000),
  ORDER_SWEEP_EVERY_MS: String(24 * 3600_000),
  PERSIST_LAG_WATCH_EVERY_MS: String(24 * 3600_000),
  REDIS_MEMORY_WATCH_EVERY_MS: String(24 * 3600_000),
}

/**
 * A test stack on a private redis-server (the sweeps SCAN every cart of their Redis, so they must
 * not see other test files' carts) and a fresh database, with cart-api and persistence-worker;
 * schedulers and mail-workers are started by the tests. On a Redis Cluster (the cluster suite) the
 * stack uses the suite's own cluster, emptied first as a private server would be (that suite runs
 * these files one at a time).
 */
export async function startStack(options: { cartApiEnv?: Env } = {}) {
  if (onRedisCluster()) await flushCluster()
  const stack = await startTestStack({
    redis: onRedisCluster() ? 'shared' : 'private',
    database: true,
    appEnv: { 'cart-api': options.cartApiEnv, scheduler: { LOG_LEVEL: 'warn', ...manualPeriods } },
    apps: ['cart-api', 'persistence-worker'],
  })
  const { db } = stack.database
  const cartApi = stack.instance('cart-api').app
  const persistence = stack.queue(queueNames.cartPersistence)
  /** Every log line of warn level and above of the schedulers of this stack, parsed. */
  const logs: LogLine[] = []

  const current = {
    ...stack,
    db,
    cartApi,
    logs,
    seedBook: (overrides?: Parameters<typeof stack.seedBook>[0]) =>
      stack.seedBook({ stock: 10_000, ...overrides }),
    shopper: (userId?: string) => stack.shopper({ userId }),
    async addItem(auth: Record<string, string>, bookId: string, quantity = 1) {
      const response = await cartApi.inject({
        method: 'POST',
        url: '/cart/items',
        headers: auth,
        payload: { bookId, quantity },
      })
      if (response.statusCode !== 200)
        throw new Error(`add-item answered ${response.statusCode}: ${response.body}`)
      return response.json<Cart>()
    },
    /** Stops persistence-worker (jobs then wait in the queue), or starts it again. */
    async stopWorker() {
      for (const worker of stack.running('persistence-worker')) await worker.close()
    },
    async startWorker() {
      if (stack.running('persistence-worker').length === 0) await stack.start('persistence-worker')
    },
    /** Drops the waiting persistence jobs (as if cart-api died with them in its batcher or spool). */
    async dropPersistenceJobs() {
      await persistence.drain(true)
    },
    /** mail-worker on this stack's Redis and queues, sending to `smtpUrl`. */
    async startMailWorker(smtpUrl: string, env: Env = {}) {
      return (await stack.start('mail-worker', { env: { SMTP_URL: smtpUrl, ...env } })).app
    },
    async startScheduler(env: Env = {}) {
      return (await stack.start('scheduler', { env, logs })).app
    },
    /** Runs a schedule now through the admin route and returns what the run reported. */
    async runSchedule(app: FastifyInstance, name: ScheduleName): Promise<Record<string, unknown>> {
      const response = await app.inject({
        method: 'POST',
        url: `/admin/schedules/${name}/run`,
        headers: await stack.adminAuth(),
      })
      if (response.statusCode !== 202)
        throw new Error(`run answered ${response.statusCode}: ${response.body}`)
      const { jobId } = response.json<{ jobId: string }>()
      const queue = stack.queue(scheduleQueueName(name))
      return waitFor(
        async () => {
          // The state first, then the job: a job read first may finish before its state is read.
          const state = await queue.getJobState(jobId)
          if (state !== 'completed' && state !== 'failed') return undefined
          const job = await queue.getJob(jobId)
          if (state === 'failed') throw new Error(`${name} failed: ${job?.failedReason}`)
          return job?.returnvalue as Record<string, unknown>
        },
        `${name} run ${jobId}`,
        30_000,
      )
    },
    /** The cart in Redis as the rows PostgreSQL should hold (null: no cart in Redis). */
    async redisRows(userId: string) {
      const raw = await stack.redis.get(cartKeys(userId).cart)
      if (raw === null) return null
      const cart: unknown = JSON.parse(raw)
      if (!Check(Cart, cart)) throw new Error(`not a cart: ${raw}`)
      return sortedRows(cartToRows(cart))
    },
    /** The rows PostgreSQL holds for a cart (null: no row). */
    async storedRows(userId: string) {
      const stored = (await readStoredCarts(db, [userId])).get(userId)
      return stored ? sortedRows(stored) : null
    },
    /** Waits until PostgreSQL holds exactly what Redis holds for these carts. */
    async converged(userIds: string[]) {
      for (const userId of userIds)
        await waitFor(
          async () =>
            JSON.stringify(await current.storedRows(userId)) ===
            JSON.stringify(await current.redisRows(userId)),
          `PostgreSQL to hold the cart of ${userId}`,
        )
    },
  }
  return current
}
export type TestStack = Awaited<ReturnType<typeof startStack>>

type Rows = ReturnType<typeof cartToRows>
const sortedRows = (rows: Rows) => ({
  cart: rows.cart,
  items: [...rows.items].sort((a, b) => a.bookId.localeCompare(b.bookId)),
})
