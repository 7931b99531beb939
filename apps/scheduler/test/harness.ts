import { buildCartApi, loadCartApiConfig } from '@bookstore/cart-api'
import { cartToRows, readStoredCarts } from '@bookstore/cart-store'
import { createDatabase, migrateDatabase } from '@bookstore/db'
import { Cart, cartKeys } from '@bookstore/events'
import { buildMailWorker, loadMailWorkerConfig } from '@bookstore/mail-worker'
import { buildPersistenceWorker, loadPersistenceWorkerConfig } from '@bookstore/persistence-worker'
import {
  createTestDatabase,
  generateTestKeys,
  type PrivateRedis,
  seedBook,
  signTestToken,
  startPrivateRedis,
  uniqueId,
  waitFor,
} from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { Check } from 'typebox/value'
import { buildScheduler, loadSchedulerConfig } from '../src'
import { type ScheduleName, scheduleQueueName } from '../src/schedules'

/** Periods long enough that nothing runs by itself during a test: tests run schedules on demand. */
export const manualPeriods = {
  RECONCILE_EVERY_MS: String(24 * 3600_000),
  RESYNC_EVERY_MS: String(24 * 3600_000),
  ABANDONED_CARTS_EVERY_MS: String(24 * 3600_000),
  DEAD_LETTER_WATCH_EVERY_MS: String(24 * 3600_000),
}

/**
 * A private redis-server (the sweeps SCAN every cart of their Redis, so they must not see other
 * test files' carts), a fresh database with the migrations, cart-api and persistence-worker as
 * main.ts boots them, and schedulers built from the given settings.
 */
export async function startStack(options: { cartApiEnv?: Record<string, string> } = {}) {
  const redisServer: PrivateRedis = await startPrivateRedis()
  const database = await createTestDatabase()
  await migrateDatabase(database.url)
  const { pool, db } = createDatabase(database.url, { max: 2 })
  const keys = generateTestKeys()
  const prefix = uniqueId('test-bull')
  const common = {
    REDIS_URL: redisServer.url,
    DATABASE_URL: database.url,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: prefix,
  }
  const cartApi = await buildCartApi(loadCartApiConfig({ ...common, ...options.cartApiEnv }))
  let worker: FastifyInstance | undefined = await buildPersistenceWorker(loadPersistenceWorkerConfig(common))
  const redis = new Redis(redisServer.url)
  const schedulers: FastifyInstance[] = []
  const mailWorkers: FastifyInstance[] = []
  /** Every log line of warn level and above of the schedulers of this stack, parsed. */
  const logs: Record<string, unknown>[] = []

  const adminAuth = async () => ({
    authorization: `Bearer ${await signTestToken(keys.privateKey, uniqueId('admin'), { role: 'admin' })}`,
  })

  const stack = {
    redis,
    redisServer,
    db,
    database,
    prefix,
    cartApi,
    keys,
    common,
    logs,
    adminAuth,
    seedBook: (overrides?: Parameters<typeof seedBook>[1]) =>
      seedBook(redis, { stock: 10_000, ...overrides }),
    async shopper(userId = uniqueId('user')) {
      return { userId, auth: { authorization: `Bearer ${await signTestToken(keys.privateKey, userId)}` } }
    },
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
      await worker?.close()
      worker = undefined
    },
    async startWorker() {
      worker ??= await buildPersistenceWorker(loadPersistenceWorkerConfig(common))
    },
    /** mail-worker as main.ts boots it, on this stack's Redis and queues, sending to `smtpUrl`. */
    async startMailWorker(smtpUrl: string, env: Record<string, string> = {}) {
      const app = await buildMailWorker(loadMailWorkerConfig({ ...common, SMTP_URL: smtpUrl, ...env }))
      mailWorkers.push(app)
      return app
    },
    async startScheduler(env: Record<string, string> = {}) {
      const app = await buildScheduler(
        loadSchedulerConfig({ ...common, LOG_LEVEL: 'warn', ...manualPeriods, ...env }),
        { logStream: { write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) } },
      )
      schedulers.push(app)
      return app
    },
    /** Runs a schedule now through the admin route and returns what the run reported. */
    async runSchedule(app: FastifyInstance, name: ScheduleName): Promise<Record<string, unknown>> {
      const response = await app.inject({
        method: 'POST',
        url: `/admin/schedules/${name}/run`,
        headers: await adminAuth(),
      })
      if (response.statusCode !== 202)
        throw new Error(`run answered ${response.statusCode}: ${response.body}`)
      const { jobId } = response.json<{ jobId: string }>()
      const queue = new Queue(scheduleQueueName(name), { connection: redis, prefix })
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
      ).finally(() => queue.close())
    },
    /** The cart in Redis as the rows PostgreSQL should hold (null: no cart in Redis). */
    async redisRows(userId: string) {
      const raw = await redis.get(cartKeys(userId).cart)
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
            JSON.stringify(await stack.storedRows(userId)) === JSON.stringify(await stack.redisRows(userId)),
          `PostgreSQL to hold the cart of ${userId}`,
        )
    },
    async close() {
      for (const app of [...schedulers, ...mailWorkers]) await app.close()
      await worker?.close()
      await cartApi.close()
      redis.disconnect()
      await pool.end()
      await database.drop()
      await redisServer.stop()
    },
  }
  return stack
}
export type TestStack = Awaited<ReturnType<typeof startStack>>

type Rows = ReturnType<typeof cartToRows>
const sortedRows = (rows: Rows) => ({
  cart: rows.cart,
  items: [...rows.items].sort((a, b) => a.bookId.localeCompare(b.bookId)),
})
