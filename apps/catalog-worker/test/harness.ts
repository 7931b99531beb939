import { type Cart, type CartPersistJob, cartKeys, catalogQueueNames, queueNames } from '@bookstore/events'
import {
  type Env,
  startStack as startTestStack,
  testSubscriber,
  uniqueId,
  waitFor,
} from '@bookstore/test-kit'

/**
 * book-api, cart-api and catalog-worker on one test stack, as the local stack wires them: one
 * Redis, one queue prefix (private to this test file), one signing key; book-api on a fresh database.
 */
export async function startStack(options: { resweepDelayMs?: number; worker?: boolean } = {}) {
  const stack = await startTestStack({
    database: true,
    appEnv: {
      'book-api': { DATABASE_POOL_SIZE: '3', OUTBOX_POLL_MS: '100' },
      // No PostgreSQL: no cart here is ever restored, so a first touch costs no database read.
      'cart-api': { DATABASE_URL: undefined, BOOK_CACHE_TTL_MS: '1000' },
      'catalog-worker': { RESWEEP_DELAY_MS: String(options.resweepDelayMs ?? 2500) },
    },
    // worker: false leaves the catalog events to a worker the test starts (a process to kill).
    apps: ['book-api', 'cart-api', ...(options.worker === false ? [] : (['catalog-worker'] as const))],
  })
  const cartApi = stack.instance('cart-api').app
  const persistence = stack.queue<CartPersistJob>(queueNames.cartPersistence)
  const catalogEvents = stack.queue(catalogQueueNames.catalogEvents)
  const admin = await stack.adminAuth()
  const bookApi = () => stack.instance('book-api').app

  return {
    ...stack,
    get bookApi() {
      return bookApi()
    },
    async stopBookApi() {
      await stack.instance('book-api').close()
    },
    async startBookApi() {
      await stack.start('book-api')
    },
    cartApi,
    async startWorker(env: Env = {}) {
      await stack.start('catalog-worker', { env })
    },
    db: stack.database.db,
    admin,
    adminToken: admin.authorization,
    async createBook(overrides: Record<string, unknown> = {}) {
      const answer = await bookApi().inject({
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
      const answer = await bookApi().inject({ method, url, headers: admin, ...(payload ? { payload } : {}) })
      if (answer.statusCode >= 300) throw new Error(`${method} ${url} failed: ${answer.body}`)
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
      const raw = await stack.redis.get(cartKeys(userId).cart)
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
  }
}
export type TestStack = Awaited<ReturnType<typeof startStack>>

export { waitFor }

/** A sharded Pub/Sub subscriber on one shopper's cart channel, as the realtime gateway listens. */
export async function listenToCart(userId: string) {
  const subscriber = testSubscriber()
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
