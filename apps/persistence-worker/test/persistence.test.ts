import { type Cart, cartKeys, cartPersistenceJobNames } from '@bookstore/events'
import { metricValue, openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyCarts } from '../src/domain/apply-carts'
import { durableCart, startStack, type TestStack } from './harness'

let database: TestDatabase
let stack: TestStack
beforeAll(async () => {
  database = await openTestDatabase()
  stack = await startStack(database)
})
afterAll(async () => {
  await stack.close()
  await database.drop()
})

const redisCart = async (userId: string): Promise<Cart> =>
  JSON.parse((await stack.redis.get(cartKeys(userId).cart)) ?? 'null') as Cart

describe('every cart change reaches PostgreSQL (SPEC P1, P2)', () => {
  it('writes the newest cart, items and all, and an emptied cart as empty at its version', async () => {
    const { userId, auth } = await stack.shopper()
    const [a, b] = [await stack.seedBook(), await stack.seedBook({ priceCents: 500 })]
    expect((await stack.addItem(auth, a.bookId, 2)).statusCode).toBe(200)
    expect((await stack.addItem(auth, b.bookId, 1)).statusCode).toBe(200)
    await stack.expectConverged([userId])
    expect((await durableCart(database, userId))?.cart).toMatchObject({ version: 2, itemCount: 3 })

    expect((await stack.cartApi.inject({ method: 'DELETE', url: '/cart', headers: auth })).statusCode).toBe(
      200,
    )
    await stack.expectConverged([userId])
    expect(await durableCart(database, userId)).toMatchObject({
      cart: { version: 3, itemCount: 0 },
      items: [],
    })
  })

  it('ignores duplicate and out-of-order jobs: PostgreSQL stays at the newest state', async () => {
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook()
    for (let quantity = 1; quantity <= 5; quantity += 1)
      if (quantity === 1) await stack.addItem(auth, book.bookId)
      else await stack.setQuantity(auth, book.bookId, quantity)
    await stack.expectConverged([userId])
    const before = await durableCart(database, userId)
    expect(before?.cart.version).toBe(5)

    // Old and repeated commits, as a retry or a replay would bring them, in the wrong order.
    const writesBefore = await metricValue(stack.worker, 'cart_persistence_cart_writes_total')
    const jobs = await Promise.all(
      [3, 1, 5, 2, 5].map((version) =>
        stack.queue.add(cartPersistenceJobNames.persist, {
          commits: [{ userId, version, committedAt: Date.now() }],
        }),
      ),
    )
    await expect
      .poll(
        async () =>
          (await Promise.all(jobs.map((job) => job.getState()))).every((state) => state === 'completed'),
        {
          timeout: 10_000,
        },
      )
      .toBe(true)
    expect(await durableCart(database, userId)).toEqual(before)
    expect(await metricValue(stack.worker, 'cart_persistence_cart_writes_total')).toBe(writesBefore)

    // An older cart state handed straight to the writer (a late job that read before a newer one
    // committed) changes nothing either.
    const older: Cart = { ...(await redisCart(userId)), version: 4, items: [] }
    expect((await applyCarts(database.db, [older], 'newer')).written).toEqual([])
    expect(await durableCart(database, userId)).toEqual(before)
  })

  it('writes only the item rows that changed', async () => {
    const { userId, auth } = await stack.shopper()
    const books = [await stack.seedBook(), await stack.seedBook(), await stack.seedBook()]
    for (const book of books) await stack.addItem(auth, book.bookId)
    await stack.expectConverged([userId])
    const cart = await redisCart(userId)
    const [first, second, third] = cart.items
    if (!first || !second || !third) throw new Error('three items expected')
    const next: Cart = {
      ...cart,
      version: cart.version + 10,
      items: [{ ...first, quantity: 4, lineTotalCents: first.unitPriceCents * 4 }, second],
    }
    expect(await applyCarts(database.db, [next], 'newer')).toEqual({
      written: [userId],
      itemUpserts: 1,
      itemDeletes: 1,
    })
    const stored = await durableCart(database, userId)
    expect(stored?.items.map((item) => [item.bookId, item.quantity]).sort()).toEqual(
      [
        [first.bookId, 4],
        [second.bookId, 1],
      ].sort(),
    )
    expect(stored?.cart.version).toBe(cart.version + 10)
  })

  it('coalesces a burst on one cart into fewer writes than changes, ending at the final state', async () => {
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook()
    await stack.addItem(auth, book.bookId)
    await stack.expectConverged([userId])
    const writesBefore = await metricValue(stack.worker, 'cart_persistence_cart_writes_total')
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => stack.setQuantity(auth, book.bookId, (index % 9) + 1)),
    )
    await stack.expectConverged([userId])
    expect((await durableCart(database, userId))?.cart.version).toBe(41)
    const writes = (await metricValue(stack.worker, 'cart_persistence_cart_writes_total')) - writesBefore
    expect(writes).toBeGreaterThan(0)
    expect(writes).toBeLessThan(40)
  })

  it('reports lag, jobs and the dead-letter queue size in its metrics', async () => {
    const text = (await stack.worker.inject({ url: '/metrics' })).body
    expect(text).toMatch(/cart_persistence_lag_seconds_count\{[^}]*\} [1-9]/)
    expect(text).toMatch(/cart_persistence_jobs_total\{[^}]*result="done"[^}]*\} [1-9]/)
    expect(text).toMatch(/cart_persistence_dead_letter_jobs\{[^}]*\} 0/)
    expect((await stack.worker.inject({ url: '/health/ready' })).statusCode).toBe(200)
  })
})
