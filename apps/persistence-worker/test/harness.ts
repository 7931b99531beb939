import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildCartApi, loadCartApiConfig } from '@bookstore/cart-api'
import { cartToRows } from '@bookstore/cart-store'
import { cartItems, carts, createDatabase, migrateDatabase } from '@bookstore/db'
import { Cart, cartKeys, queueNames } from '@bookstore/events'
import { createTestDatabase, generateTestKeys, seedBook, signTestToken, uniqueId } from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import { asc, eq } from 'drizzle-orm'
import { Redis } from 'ioredis'
import { Check } from 'typebox/value'
import { expect } from 'vitest'
import { buildPersistenceWorker, loadPersistenceWorkerConfig } from '../src'

export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A fresh database with the migrations applied, and a pool to look at it. */
export async function testDatabase() {
  const database = await createTestDatabase()
  await migrateDatabase(database.url)
  const { pool, db } = createDatabase(database.url, { max: 2 })
  return {
    url: database.url,
    pool,
    db,
    async close() {
      await pool.end()
      await database.drop()
    },
  }
}
export type TestDatabase = Awaited<ReturnType<typeof testDatabase>>

export interface StackOptions {
  redisUrl?: string
  /** The database the worker writes (default: the test database itself). */
  workerDatabaseUrl?: string
  /** The Redis cart-api's queue talks to (default: redisUrl). */
  queueRedisUrl?: string
  /** false: no worker in this process (a test runs it as a child, or starts it later). */
  worker?: boolean
  workerEnv?: Record<string, string>
  cartApiEnv?: Record<string, string>
}

/**
 * cart-api and persistence-worker as main.ts boots them, in this process, on one test database and
 * one private queue prefix, with an admin token for the worker's admin routes.
 */
export async function startStack(database: TestDatabase, options: StackOptions = {}) {
  const keys = generateTestKeys()
  const url = options.redisUrl ?? redisUrl()
  const prefix = uniqueId('test-bull')
  const cartApi = await buildCartApi(
    loadCartApiConfig({
      REDIS_URL: url,
      QUEUE_REDIS_URL: options.queueRedisUrl,
      DATABASE_URL: database.url,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: prefix,
      PERSISTENCE_SPOOL_RETRY_MS: '100',
      QUEUE_ENQUEUE_TIMEOUT_MS: '500',
      ...options.cartApiEnv,
    }),
  )
  const workerEnv = {
    REDIS_URL: url,
    DATABASE_URL: options.workerDatabaseUrl ?? database.url,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: prefix,
    ...options.workerEnv,
  }
  let worker =
    options.worker === false
      ? undefined
      : await buildPersistenceWorker(loadPersistenceWorkerConfig(workerEnv))
  const redis = new Redis(url)
  const queue = new Queue(queueNames.cartPersistence, { connection: redis, prefix })
  const dlq = new Queue(queueNames.cartPersistenceDeadLetter, { connection: redis, prefix })
  const userIds = new Set<string>()

  const stack = {
    cartApi,
    get worker() {
      if (!worker) throw new Error('no worker running in this process')
      return worker
    },
    workerEnv,
    redis,
    queue,
    dlq,
    prefix,
    adminToken: () => signTestToken(keys.privateKey, uniqueId('admin'), { role: 'admin' }),
    seedBook: (overrides?: Parameters<typeof seedBook>[1]) =>
      seedBook(redis, { stock: 10_000, ...overrides }),
    async shopper() {
      const userId = uniqueId('user')
      userIds.add(userId)
      return { userId, auth: { authorization: `Bearer ${await signTestToken(keys.privateKey, userId)}` } }
    },
    addItem: (auth: Record<string, string>, bookId: string, quantity = 1) =>
      cartApi.inject({ method: 'POST', url: '/cart/items', headers: auth, payload: { bookId, quantity } }),
    setQuantity: (auth: Record<string, string>, bookId: string, quantity: number) =>
      cartApi.inject({ method: 'PUT', url: `/cart/items/${bookId}`, headers: auth, payload: { quantity } }),
    async startWorker(env: Record<string, string> = {}) {
      worker = await buildPersistenceWorker(loadPersistenceWorkerConfig({ ...workerEnv, ...env }))
      return worker
    },
    async stopWorker() {
      await worker?.close()
      worker = undefined
    },
    /** Polls until PostgreSQL holds exactly what Redis holds for every shopper of this stack. */
    async expectConverged(ids: Iterable<string> = userIds, timeout = 20_000) {
      for (const userId of ids)
        await expect
          .poll(async () => (await durableCart(database, userId)) ?? null, { timeout, interval: 100 })
          .toEqual(await redisRows(redis, userId))
    },
    async close() {
      await worker?.close()
      await cartApi.close()
      await queue.obliterate({ force: true }).catch(() => {})
      await dlq.obliterate({ force: true }).catch(() => {})
      await Promise.all([queue.close(), dlq.close()])
      redis.disconnect()
    },
  }
  return stack
}
export type TestStack = Awaited<ReturnType<typeof startStack>>

/** The cart in Redis as the rows PostgreSQL should hold (null: no cart in Redis). */
export async function redisRows(redis: Redis, userId: string) {
  const raw = await redis.get(cartKeys(userId).cart)
  if (raw === null) return null
  const cart: unknown = JSON.parse(raw)
  if (!Check(Cart, cart)) throw new Error(`not a cart: ${raw}`)
  const rows = cartToRows(cart)
  return { cart: rows.cart, items: [...rows.items].sort((a, b) => a.bookId.localeCompare(b.bookId)) }
}

/** The rows PostgreSQL holds for a cart, in the same shape (undefined: no row). */
export async function durableCart(database: TestDatabase, userId: string) {
  const [row] = await database.db.select().from(carts).where(eq(carts.userId, userId))
  if (!row) return undefined
  const items = await database.db
    .select()
    .from(cartItems)
    .where(eq(cartItems.userId, userId))
    .orderBy(asc(cartItems.bookId))
  const { persistedAt: _persistedAt, ...cart } = row
  return { cart, items }
}

/** A counter's value from a Prometheus text exposition (0 when absent). */
export async function metricValue(app: { inject: TestStack['cartApi']['inject'] }, name: string) {
  const text = (await app.inject({ url: '/metrics' })).body
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}{`) || entry.startsWith(`${name} `))
  return line ? Number(line.split(' ').at(-1)) : 0
}

const workerDir = fileURLToPath(new URL('..', import.meta.url))

/** The worker as a real process (its TypeScript main, as `pnpm dev` runs it), so a test can SIGKILL it. */
export function spawnWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
    cwd: workerDir,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}
