import { books, orderLines, orders, stockReservations } from '@bookstore/db'
import { type Cart, cartKeys, type Order, orderQueueNames } from '@bookstore/events'
import { type AppSpec, type Env, startStack, uniqueId, waitFor } from '@bookstore/test-kit'
import { eq, inArray } from 'drizzle-orm'
import { readFakePayment } from '../src'

export type Shopper = { userId: string; auth: { authorization: string } }

export interface OrderStackOptions {
  /** order-api's settings (payment behaviours, TTLs). */
  orderEnv?: Env
  /** book-api's settings. */
  bookEnv?: Env
  /** More apps, after book-api, cart-api and order-api (or instead of order-api: `orderApi: false`). */
  apps?: readonly AppSpec['name'][]
  /** Start order-api as a child process (a test kills it) instead of in this process. */
  orderApi?: 'in-process' | 'process' | false
  bookApi?: 'in-process' | 'process'
}

/**
 * book-api (with its reservation worker), cart-api and order-api on one test stack with a fresh
 * database, as the local stack wires them; short timeouts so a saga ends within a test.
 */
export async function startOrderStack(options: OrderStackOptions = {}) {
  const orderApi = options.orderApi ?? 'in-process'
  const stack = await startStack({
    database: true,
    appEnv: {
      'book-api': {
        DATABASE_POOL_SIZE: '4',
        OUTBOX_POLL_MS: '100',
        RESERVATION_CONCURRENCY: '4',
        ...options.bookEnv,
      },
      // No PostgreSQL: no cart here is ever restored, so a first touch costs no database read.
      'cart-api': { DATABASE_URL: undefined, BOOK_CACHE_TTL_MS: '0' },
      'order-api': {
        PAYMENT_TIMEOUT_MS: '300',
        SAGA_JOB_BACKOFF_MS: '100',
        DATABASE_POOL_SIZE: '6',
        ...options.orderEnv,
      },
    },
    apps: [
      { name: 'book-api', process: options.bookApi === 'process' },
      'cart-api',
      ...(orderApi ? [{ name: 'order-api' as const, process: orderApi === 'process' }] : []),
      ...(options.apps ?? []),
    ],
  })
  const { db } = stack.database
  const admin = await stack.adminAuth()
  const bookApiUrl = () => stack.running('book-api')[0]?.url ?? ''
  const orderApiUrl = () => stack.running('order-api').at(-1)?.url ?? ''
  const cartApi = () => stack.instance('cart-api').app

  async function call(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
  ) {
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...(init.body !== undefined && { 'content-type': 'application/json' }), ...init.headers },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    }
  }

  const helpers = {
    ...stack,
    db,
    admin,
    call,
    orderApiUrl,
    async createBook(overrides: Record<string, unknown> = {}) {
      const answer = await call(`${bookApiUrl()}/admin/books`, {
        method: 'POST',
        headers: admin,
        body: {
          id: uniqueId('book'),
          title: 'Release It!',
          author: 'Michael T. Nygard',
          priceCents: 3999,
          stock: 50,
          ...overrides,
        },
      })
      if (answer.status !== 201) throw new Error(`create failed: ${JSON.stringify(answer.body)}`)
      const id = answer.body.id as string
      // Carts read the book from its read model, which the outbox relay writes.
      await waitFor(
        async () => (await stack.redis.hget(`book:${id}`, 'bookId')) === id,
        `the read model of ${id}`,
      )
      return { id }
    },
    async changeBook(method: 'PATCH' | 'PUT', path: string, body: object) {
      const answer = await call(`${bookApiUrl()}${path}`, { method, headers: admin, body })
      if (answer.status >= 300) throw new Error(`${method} ${path} failed: ${JSON.stringify(answer.body)}`)
    },
    async addItem(shopper: Shopper, bookId: string, quantity = 1): Promise<Cart> {
      const answer = await cartApi().inject({
        method: 'POST',
        url: '/cart/items',
        headers: shopper.auth,
        payload: { bookId, quantity },
      })
      if (answer.statusCode !== 200) throw new Error(`add-item answered ${answer.statusCode}: ${answer.body}`)
      return answer.json<Cart>()
    },
    async cart(userId: string): Promise<Cart | undefined> {
      const raw = await stack.redis.get(cartKeys(userId).cart)
      return raw ? (JSON.parse(raw) as Cart) : undefined
    },
    checkout(shopper: Shopper, cartVersion: number, key: string = uniqueId('key')) {
      return call(`${orderApiUrl()}/checkout`, {
        method: 'POST',
        headers: { ...shopper.auth, 'idempotency-key': key },
        body: { cartVersion },
      })
    },
    /** A shopper whose cart holds these lines, ready to check out. */
    async shopperWith(lines: [string, number][]) {
      const shopper = await stack.shopper()
      let cart: Cart | undefined
      for (const [bookId, quantity] of lines) cart = await helpers.addItem(shopper, bookId, quantity)
      return { ...shopper, cartVersion: cart?.version ?? 0 }
    },
    async order(orderId: string): Promise<Order> {
      const answer = await call(`${orderApiUrl()}/admin/orders/${orderId}`, { headers: admin })
      if (answer.status !== 200) throw new Error(`GET order answered ${answer.status}`)
      return answer.body as unknown as Order
    },
    /** The order once it has settled (confirmed with its after-effects, or cancelled and paid back). */
    async settled(orderId: string, timeoutMs = 30_000): Promise<typeof orders.$inferSelect> {
      return waitFor(
        async () => {
          const [row] = await db.select().from(orders).where(eq(orders.id, orderId))
          if (!row) return false
          const confirmed =
            row.status === 'confirmed' && row.cartClearedAt !== null && row.emailEnqueuedAt !== null
          const cancelled =
            row.status === 'cancelled' &&
            !['authorized', 'captured'].includes(row.payment) &&
            ['refused', 'released'].includes(row.reservation)
          return (confirmed || cancelled) && row
        },
        `order ${orderId} to settle`,
        timeoutMs,
      )
    },
    orderLines: (orderId: string) => db.select().from(orderLines).where(eq(orderLines.orderId, orderId)),
    async stockOf(bookId: string): Promise<number> {
      const [row] = await db.select({ stock: books.stock }).from(books).where(eq(books.id, bookId))
      return row?.stock ?? Number.NaN
    },
    async holds(orderIds: string[]) {
      if (orderIds.length === 0) return []
      return db.select().from(stockReservations).where(inArray(stockReservations.orderId, orderIds))
    },
    payment: (orderId: string) => readFakePayment(stack.redis, orderId),
    /**
     * What the scheduler's sweep-orders schedule enqueues, every `periodMs` until the stack closes:
     * book-api releases expired holds, order-api settles stuck orders (apps/scheduler runs it for real).
     */
    runSweeps(periodMs = 300) {
      const holds = helpers.stockQueue()
      const saga = helpers.sagaQueue()
      const timer = setInterval(() => {
        void holds
          .add('expire-holds', { kind: 'expire-holds' }, { jobId: 'expire-holds', removeOnComplete: true })
          .catch(() => {})
        void saga
          .add('sweep-orders', { kind: 'sweep-orders' }, { jobId: 'sweep-orders', removeOnComplete: true })
          .catch(() => {})
      }, periodMs)
      stack.onClose(() => clearInterval(timer))
    },
    /** SPEC O3 for one order: confirmed only with a capture kept, cancelled only with none kept. */
    async paidAsItShould(orderId: string) {
      const [row] = await db.select().from(orders).where(eq(orders.id, orderId))
      const payment = await readFakePayment(stack.redis, orderId)
      const keptCapture = payment.captured && !payment.refunded
      return row?.status === 'confirmed' ? keptCapture : !keptCapture
    },
    sagaQueue: () => stack.queue(orderQueueNames.orderSaga),
    stockQueue: () => stack.queue(orderQueueNames.stockReservations),
  }
  return helpers
}
export type OrderStack = Awaited<ReturnType<typeof startOrderStack>>

export { waitFor }
