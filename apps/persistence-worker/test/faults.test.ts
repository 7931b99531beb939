import {
  metricValue,
  openTestDatabase,
  redisUrl,
  startFaultProxy,
  type TestDatabase,
  viaProxy,
} from '@bookstore/test-kit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { durableCart, startStack, type TestStack } from './harness'

let database: TestDatabase
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(() => database.drop())

let stack: TestStack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

/** A stream of changes over several carts: each shopper adds a few books and changes quantities. */
async function mutate(
  current: TestStack,
  shoppers: { auth: Record<string, string> }[],
  bookIds: string[],
  rounds: number,
) {
  for (let round = 0; round < rounds; round += 1)
    await Promise.all(
      shoppers.map(async ({ auth }, index) => {
        const bookId = bookIds[(round + index) % bookIds.length] as string
        const response = await current.addItem(auth, bookId)
        expect(response.statusCode).toBe(200)
      }),
    )
}

describe('PostgreSQL converges to Redis whatever fails (SPEC P3)', () => {
  it('survives the worker being killed (SIGKILL) mid-stream and started again', {
    timeout: 120_000,
  }, async () => {
    stack = await startStack(database, { worker: false })
    const current = stack
    const shoppers = await Promise.all(Array.from({ length: 10 }, () => current.shopper()))
    const bookIds = (await Promise.all(Array.from({ length: 4 }, () => current.seedBook()))).map(
      (b) => b.bookId,
    )

    const first = await current.spawnWorker()
    await mutate(current, shoppers, bookIds, 5)
    // Killed while jobs flow: some were taken and never finished (they stall), some never taken.
    const streaming = mutate(current, shoppers, bookIds, 10)
    await expect
      .poll(async () => (await durableCart(database, shoppers[0]?.userId ?? ''))?.cart.version ?? 0, {
        timeout: 30_000,
      })
      .toBeGreaterThan(0)
    await first.kill('SIGKILL')
    await streaming
    await mutate(current, shoppers, bookIds, 3)

    const second = await current.spawnWorker()
    try {
      await current.expectConverged(
        shoppers.map((s) => s.userId),
        60_000,
      )
    } finally {
      await second.kill('SIGTERM')
    }
  })

  it('waits out PostgreSQL being unreachable while changes go on, then converges', {
    timeout: 90_000,
  }, async () => {
    const proxy = await startFaultProxy('127.0.0.1', Number(new URL(database.url).port || 5432))
    try {
      stack = await startStack(database, {
        workerDatabaseUrl: viaProxy(database.url, proxy),
        workerEnv: { DATABASE_RETRY_MAX_MS: '300' },
      })
      const current = stack
      const shoppers = await Promise.all(Array.from({ length: 5 }, () => current.shopper()))
      const bookIds = (await Promise.all(Array.from({ length: 3 }, () => current.seedBook()))).map(
        (b) => b.bookId,
      )
      await mutate(current, shoppers, bookIds, 2)
      await current.expectConverged()

      await proxy.cut()
      await mutate(current, shoppers, bookIds, 4)
      // The worker met the outage: its jobs wait (delayed) without spending their attempts.
      await expect
        .poll(
          async () =>
            /result="waiting_for_database"[^\n]*\} [1-9]/.test(
              (await current.worker.inject({ url: '/metrics' })).body,
            ),
          {
            timeout: 10_000,
          },
        )
        .toBe(true)
      expect((await current.worker.inject({ url: '/health/ready' })).statusCode).toBe(503)
      // The backlog's age is a figure operators see (and the scheduler alerts on).
      await expect
        .poll(() => metricValue(current.worker, 'cart_persistence_oldest_unpersisted_seconds'), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0)
      for (const { userId } of shoppers)
        expect((await durableCart(database, userId))?.cart.version).toBeLessThan(6)

      await proxy.restore()
      await current.expectConverged(undefined, 30_000)
      expect(await current.dlq.getWaitingCount()).toBe(0)
    } finally {
      await stack?.close()
      stack = undefined
      await proxy.close()
    }
  })

  it('keeps answering while the queue is unreachable after the Lua commit, and the change still reaches PostgreSQL (SPEC P5)', {
    timeout: 60_000,
  }, async () => {
    const redis = new URL(redisUrl())
    const proxy = await startFaultProxy(redis.hostname, Number(redis.port || 6379))
    try {
      stack = await startStack(database, { queueRedisUrl: viaProxy(redis.toString(), proxy) })
      const current = stack
      const { userId, auth } = await current.shopper()
      const book = await current.seedBook()
      expect((await current.addItem(auth, book.bookId)).statusCode).toBe(200)
      await current.expectConverged([userId])

      await proxy.cut()
      for (let quantity = 2; quantity <= 4; quantity += 1)
        expect((await current.setQuantity(auth, book.bookId, quantity)).statusCode).toBe(200)
      expect(await metricValue(current.cartApi, 'cart_persistence_enqueue_failures_total')).toBeGreaterThan(0)
      expect(await metricValue(current.cartApi, 'cart_persistence_spool_carts')).toBe(1)
      expect((await durableCart(database, userId))?.cart.version).toBe(1)

      await proxy.restore()
      await current.expectConverged([userId])
      expect((await durableCart(database, userId))?.items[0]?.quantity).toBe(4)
      expect(await metricValue(current.cartApi, 'cart_persistence_spool_carts')).toBe(0)
    } finally {
      await stack?.close()
      stack = undefined
      await proxy.close()
    }
  })

  it('a 500 ms Redis stall during a stream of changes ends in answers (or clean 503s), and nothing is lost', {
    timeout: 60_000,
  }, async () => {
    const redis = new URL(redisUrl())
    const proxy = await startFaultProxy(redis.hostname, Number(redis.port || 6379))
    try {
      // cart-api's carts and queue behind the proxy; the worker reaches Redis directly.
      const stalled = viaProxy(redis.toString(), proxy)
      stack = await startStack(database, { cartApiEnv: { REDIS_URL: stalled, QUEUE_REDIS_URL: stalled } })
      const current = stack
      const shoppers = await Promise.all(Array.from({ length: 20 }, () => current.shopper()))
      const book = await current.seedBook()
      const statuses: number[] = []
      let stop = false
      const client = async (index: number) => {
        for (let step = 0; !stop; step += 1) {
          const { auth } = shoppers[(index + step * 5) % shoppers.length] as (typeof shoppers)[number]
          statuses.push((await current.setQuantity(auth, book.bookId, 1 + (step % 9))).statusCode)
        }
      }
      for (const { auth } of shoppers) expect((await current.addItem(auth, book.bookId)).statusCode).toBe(200)
      const clients = Array.from({ length: 5 }, (_, index) => client(index))
      await new Promise((resolve) => setTimeout(resolve, 500))
      const before = statuses.length
      await proxy.stall(500)
      await new Promise((resolve) => setTimeout(resolve, 500))
      stop = true
      await Promise.all(clients)

      expect(statuses.length).toBeGreaterThan(before)
      expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([])
      await current.expectConverged(undefined, 20_000)
    } finally {
      await stack?.close()
      stack = undefined
      await proxy.close()
    }
  })

  it('under overload queue adds do not pile up on the request path: what finds them at their bound is spooled, nothing lost', {
    timeout: 120_000,
  }, async () => {
    const redis = new URL(redisUrl())
    const proxy = await startFaultProxy(redis.hostname, Number(redis.port || 6379))
    try {
      // A queue that stops answering (an add waits up to its 60 s deadline) with room for one add
      // at a time, and a burst of changes to more carts than one job holds.
      stack = await startStack(database, {
        queueRedisUrl: viaProxy(redis.toString(), proxy),
        cartApiEnv: { PERSISTENCE_ENQUEUES_IN_FLIGHT: '1', QUEUE_ENQUEUE_TIMEOUT_MS: '60000' },
      })
      const current = stack
      const book = await current.seedBook()
      const shoppers = await Promise.all(Array.from({ length: 1200 }, () => current.shopper()))
      proxy.blackhole()
      let answered = 0
      const answers = Promise.all(
        shoppers.map(async ({ auth }) => {
          const response = await current.addItem(auth, book.bookId)
          answered += 1
          return response
        }),
      )
      // The full batches do not wait behind the add in flight: they are spooled and answered.
      await expect.poll(() => answered, { timeout: 30_000 }).toBeGreaterThanOrEqual(1000)
      expect(await metricValue(current.cartApi, 'cart_persistence_enqueue_overflow_total')).toBeGreaterThan(0)
      await proxy.restore()
      expect((await answers).filter((answer) => answer.statusCode !== 200)).toEqual([])
      await current.expectConverged(undefined, 60_000)
    } finally {
      // The proxy first: adds still held in it fail at once instead of at their deadline.
      await proxy.close()
      await stack?.close()
      stack = undefined
    }
  })
})
