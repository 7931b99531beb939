import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildBookApi, loadBookApiConfig } from '@bookstore/book-api'
import { buildCartApi, loadCartApiConfig } from '@bookstore/cart-api'
import { createDatabase, migrateDatabase } from '@bookstore/db'
import { type Cart, type CartPersistJob, cartKeys, catalogQueueNames, queueNames } from '@bookstore/events'
import {
  createTestDatabase,
  freePort,
  generateTestKeys,
  signTestToken,
  uniqueId,
  waitFor,
} from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { buildCatalogWorker, loadCatalogWorkerConfig } from '../src'

export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/**
 * book-api, cart-api and catalog-worker as the local stack wires them: one Redis, one queue
 * prefix (private to this test file), one signing key; book-api on its own fresh database.
 */
export async function startStack(options: { resweepDelayMs?: number; worker?: boolean } = {}) {
  const database = await createTestDatabase()
  await migrateDatabase(database.url)
  const { pool, db } = createDatabase(database.url, { max: 2 })
  const keys = generateTestKeys()
  const prefix = uniqueId('test-bull')
  const common = { REDIS_URL: redisUrl(), LOG_LEVEL: 'silent', QUEUE_PREFIX: prefix }
  const bookApiEnv = {
    ...common,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '3',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    OUTBOX_POLL_MS: '100',
  }
  let bookApi = await buildBookApi(loadBookApiConfig(bookApiEnv))
  const cartApi = await buildCartApi(
    loadCartApiConfig({ ...common, JWT_PUBLIC_KEY: keys.publicKeyPem, BOOK_CACHE_TTL_MS: '1000' }),
  )
  const workerEnv = { ...common, RESWEEP_DELAY_MS: String(options.resweepDelayMs ?? 2500) }
  // worker: false leaves the catalog events to a worker the test starts (a child process to kill).
  let worker =
    options.worker === false ? undefined : await buildCatalogWorker(loadCatalogWorkerConfig(workerEnv))
  const redis = new Redis(redisUrl())
  const persistence = new Queue<CartPersistJob>(queueNames.cartPersistence, { connection: redis, prefix })
  const catalogEvents = new Queue(catalogQueueNames.catalogEvents, { connection: redis, prefix })
  const admin = {
    authorization: `Bearer ${await signTestToken(keys.privateKey, uniqueId('admin'), { role: 'admin' })}`,
  }

  const stack = {
    /** What a book-api process of this stack needs in its environment. */
    bookApiEnv,
    get bookApi() {
      return bookApi
    },
    async stopBookApi() {
      await bookApi.close()
    },
    async startBookApi() {
      bookApi = await buildBookApi(loadBookApiConfig(bookApiEnv))
    },
    cartApi,
    /** What a catalog-worker of this stack needs in its environment. */
    workerEnv,
    async startWorker(env: Record<string, string> = {}) {
      worker = await buildCatalogWorker(loadCatalogWorkerConfig({ ...workerEnv, ...env }))
    },
    redis,
    db,
    admin,
    adminToken: admin.authorization,
    async createBook(overrides: Record<string, unknown> = {}) {
      const answer = await stack.bookApi.inject({
        method: 'POST',
        url: '/admin/books',
        headers: admin,
        payload: {
          id: uniqueId('book'),
          title: 'Release It!',
          author: 'Michael T. Nygard',
          priceCents: 3999,
          stock: 500,
          ...overrides,
        },
      })
      if (answer.statusCode !== 201) throw new Error(`create failed: ${answer.body}`)
      return answer.json() as { id: string }
    },
    async changeBook(method: 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) {
      const answer = await stack.bookApi.inject({
        method,
        url,
        headers: admin,
        ...(payload ? { payload } : {}),
      })
      if (answer.statusCode >= 300) throw new Error(`${method} ${url} failed: ${answer.body}`)
    },
    async shopper() {
      const userId = uniqueId('user')
      return { userId, auth: { authorization: `Bearer ${await signTestToken(keys.privateKey, userId)}` } }
    },
    async addItem(shopper: { auth: Record<string, string> }, bookId: string, quantity = 1) {
      return cartApi.inject({
        method: 'POST',
        url: '/cart/items',
        headers: shopper.auth,
        payload: { bookId, quantity },
      })
    },
    async cart(userId: string): Promise<Cart | undefined> {
      const raw = await redis.get(cartKeys(userId).cart)
      return raw ? (JSON.parse(raw) as Cart) : undefined
    },
    /** Every persistence commit waiting on the queue (cart-api's and the worker's). */
    async persistedVersions(): Promise<Map<string, number>> {
      const versions = new Map<string, number>()
      for (const job of await persistence.getJobs(['waiting', 'delayed', 'active']))
        for (const commit of job.data.commits)
          versions.set(commit.userId, Math.max(commit.version, versions.get(commit.userId) ?? 0))
      return versions
    },
    /** True once no catalog event (first or second sweep) is waiting, delayed or running. */
    async catalogIdle() {
      const counts = await catalogEvents.getJobCounts('waiting', 'delayed', 'active', 'prioritized')
      return Object.values(counts).every((count) => count === 0)
    },
    async close() {
      await worker?.close()
      await cartApi.close()
      await stack.bookApi.close()
      await persistence.obliterate({ force: true })
      await catalogEvents.obliterate({ force: true })
      await persistence.close()
      await catalogEvents.close()
      redis.disconnect()
      await pool.end()
      await database.drop()
    },
  }
  return stack
}
export type TestStack = Awaited<ReturnType<typeof startStack>>

export { waitFor }

/** A sharded Pub/Sub subscriber on one shopper's cart channel, as the realtime gateway listens. */
export async function listenToCart(userId: string) {
  const subscriber = new Redis(redisUrl())
  const messages: { op: string; cart: Cart; notices?: Record<string, unknown>[] }[] = []
  subscriber.on('smessage', (_channel: string, message: string) => messages.push(JSON.parse(message)))
  await subscriber.ssubscribe(cartKeys(userId).events)
  return { messages, close: () => subscriber.quit() }
}

/** Runs `work` over `items`, `width` at a time. */
export async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>) {
  for (let start = 0; start < items.length; start += width)
    await Promise.all(items.slice(start, start + width).map(work))
}

/**
 * An app of this stack in its own process (its TypeScript main, as `pnpm dev` runs it), ready to
 * answer, so that a test can SIGKILL it where it hurts.
 */
export async function startAppProcess(app: 'book-api' | 'catalog-worker', env: Record<string, string>) {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], {
    cwd: fileURLToPath(new URL(`../../${app}/`, import.meta.url)),
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: 'ignore',
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${app} exited`)
      return fetch(`${url}/health/ready`).then(
        (answer) => answer.ok,
        () => false,
      )
    },
    `${app} process ready`,
    30_000,
  )
  return {
    url,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}
