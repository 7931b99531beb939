import { cartToRows } from '@bookstore/cart-store'
import { cartItems, carts } from '@bookstore/db'
import { Cart, cartKeys, queueNames } from '@bookstore/events'
import { type Env, startStack as startTestStack, type TestDatabase, uniqueId } from '@bookstore/test-kit'
import { asc, eq } from 'drizzle-orm'
import type { Cluster, Redis } from 'ioredis'
import { Check } from 'typebox/value'
import { expect } from 'vitest'

export interface StackOptions {
  redisUrl?: string
  /** The database the worker writes (default: the test database itself). */
  workerDatabaseUrl?: string
  /** The Redis cart-api's queue talks to (default: redisUrl). */
  queueRedisUrl?: string
  /** false: no worker in this process (a test runs it as a process, `spawnWorker`). */
  worker?: boolean
  workerEnv?: Env
  cartApiEnv?: Env
}

/**
 * cart-api and persistence-worker on a test stack over the test file's database, with the
 * persistence queue and its dead-letter queue to look into, and an admin token for the worker's
 * admin routes.
 */
export async function startStack(database: TestDatabase, options: StackOptions = {}) {
  const stack = await startTestStack({
    redis: options.redisUrl ? { url: options.redisUrl } : 'shared',
    database,
    appEnv: {
      'cart-api': {
        QUEUE_REDIS_URL: options.queueRedisUrl,
        PERSISTENCE_SPOOL_RETRY_MS: '100',
        QUEUE_ENQUEUE_TIMEOUT_MS: '500',
        ...options.cartApiEnv,
      },
      'persistence-worker': {
        ...(options.workerDatabaseUrl && { DATABASE_URL: options.workerDatabaseUrl }),
        ...options.workerEnv,
      },
    },
    apps: options.worker === false ? ['cart-api'] : ['cart-api', 'persistence-worker'],
  })
  const cartApi = stack.instance('cart-api').app
  const userIds = new Set<string>()

  return {
    ...stack,
    cartApi,
    get worker() {
      return stack.instance('persistence-worker').app
    },
    queue: stack.queue(queueNames.cartPersistence),
    dlq: stack.queue(queueNames.cartPersistenceDeadLetter),
    adminToken: () => stack.token(uniqueId('admin'), { role: 'admin' }),
    seedBook: (overrides?: Parameters<typeof stack.seedBook>[0]) =>
      stack.seedBook({ stock: 10_000, ...overrides }),
    async shopper(userId?: string) {
      const shopper = await stack.shopper({ userId })
      userIds.add(shopper.userId)
      return shopper
    },
    addItem: (auth: Record<string, string>, bookId: string, quantity = 1) =>
      cartApi.inject({ method: 'POST', url: '/cart/items', headers: auth, payload: { bookId, quantity } }),
    setQuantity: (auth: Record<string, string>, bookId: string, quantity: number) =>
      cartApi.inject({ method: 'PUT', url: `/cart/items/${bookId}`, headers: auth, payload: { quantity } }),
    /** The worker as a real process, so that a test can SIGKILL it. */
    spawnWorker: () => stack.spawn('persistence-worker'),
    /** Polls until PostgreSQL holds exactly what Redis holds for every shopper of this stack. */
    async expectConverged(ids: Iterable<string> = userIds, timeout = 20_000) {
      for (const userId of ids)
        await expect
          .poll(async () => (await durableCart(database, userId)) ?? null, { timeout, interval: 100 })
          .toEqual(await redisRows(stack.redis, userId))
    },
  }
}
export type TestStack = Awaited<ReturnType<typeof startStack>>

/** The cart in Redis as the rows PostgreSQL should hold (null: no cart in Redis). */
export async function redisRows(redis: Redis | Cluster, userId: string) {
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

/**
 * A real failure in PostgreSQL for chosen carts only: a trigger refuses the carts rows of the users
 * in `poisoned_users` (created once per database; other carts are written as usual).
 */
export async function poisonCarts(database: TestDatabase) {
  await database.pool.query(`
    CREATE TABLE IF NOT EXISTS poisoned_users (user_id text PRIMARY KEY);
    CREATE OR REPLACE FUNCTION refuse_poisoned() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM poisoned_users WHERE user_id = NEW.user_id) THEN
        RAISE EXCEPTION 'poisoned cart %', NEW.user_id;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    CREATE OR REPLACE TRIGGER refuse_poisoned BEFORE INSERT OR UPDATE ON carts
      FOR EACH ROW EXECUTE FUNCTION refuse_poisoned();
  `)
  return {
    poison: (userId: string) => database.pool.query('INSERT INTO poisoned_users VALUES ($1)', [userId]),
    cure: (userId: string) => database.pool.query('DELETE FROM poisoned_users WHERE user_id = $1', [userId]),
  }
}
