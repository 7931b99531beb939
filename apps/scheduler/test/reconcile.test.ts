import { cartItems, carts } from '@bookstore/db'
import { cartKeys } from '@bookstore/events'
import { and, eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type TestStack } from './harness'

// SPEC P6 (and P3): the reconciliation sweep finds every cart whose PostgreSQL copy differs from
// Redis and repairs it through persistence-worker; when nothing differs it changes nothing.
describe('reconciliation', () => {
  let stack: TestStack
  let scheduler: FastifyInstance

  beforeAll(async () => {
    stack = await startStack()
    scheduler = await stack.startScheduler({ RECONCILE_GRACE_MS: '0', RECONCILE_BATCH_SIZE: '10' })
  })
  afterAll(() => stack?.close())

  async function shoppersWithCarts(count: number) {
    const book = await stack.seedBook()
    const other = await stack.seedBook({ title: 'Dune', priceCents: 1250 })
    const shoppers = []
    for (let index = 0; index < count; index += 1) {
      const shopper = await stack.shopper()
      await stack.addItem(shopper.auth, book.bookId, 1 + index)
      await stack.addItem(shopper.auth, other.bookId, 2)
      shoppers.push(shopper)
    }
    await stack.converged(shoppers.map((shopper) => shopper.userId))
    return { shoppers, book, other }
  }

  it('repairs rows changed, deleted or set back in PostgreSQL, and a second sweep finds nothing', async () => {
    const { shoppers, book, other } = await shoppersWithCarts(24)
    const quiet = await stack.runSchedule(scheduler, 'reconcile-carts')
    expect(quiet).toMatchObject({ checked: 24, inSync: 24, repaired: 0 })

    const [changedRow, versionBack, deletedCart, deletedItem] = shoppers.map((shopper) => shopper.userId)
    if (!changedRow || !versionBack || !deletedCart || !deletedItem) throw new Error('four shoppers expected')
    await stack.db
      .update(cartItems)
      .set({ quantity: 9 })
      .where(and(eq(cartItems.userId, changedRow), eq(cartItems.bookId, book.bookId)))
    await stack.db
      .update(carts)
      .set({ version: sql`${carts.version} - 1` })
      .where(eq(carts.userId, versionBack))
    await stack.db.delete(carts).where(eq(carts.userId, deletedCart))
    await stack.db
      .delete(cartItems)
      .where(and(eq(cartItems.userId, deletedItem), eq(cartItems.bookId, other.bookId)))
    expect(await stack.storedRows(changedRow)).not.toEqual(await stack.redisRows(changedRow))

    const repair = await stack.runSchedule(scheduler, 'reconcile-carts')
    expect(repair).toMatchObject({ checked: 24, inSync: 20, behind: 2, differing: 2, repaired: 4 })
    await stack.converged([changedRow, versionBack, deletedCart, deletedItem])

    const after = await stack.runSchedule(scheduler, 'reconcile-carts')
    expect(after).toMatchObject({ checked: 24, inSync: 24, repaired: 0 })
  })

  it('repairs a change whose persistence job was lost (the process died between commit and enqueue)', async () => {
    const { shoppers, book } = await shoppersWithCarts(1)
    const shopper = shoppers[0]
    if (!shopper) throw new Error('one shopper expected')
    await stack.stopWorker()
    await stack.addItem(shopper.auth, book.bookId, 3)
    // The job never reaches a worker: as if cart-api died with it in its batcher or spool.
    await stack.dropPersistenceJobs()
    await stack.startWorker()
    expect((await stack.storedRows(shopper.userId))?.cart.version).toBeLessThan(
      (await stack.redisRows(shopper.userId))?.cart.version ?? 0,
    )

    const repair = await stack.runSchedule(scheduler, 'reconcile-carts')
    expect(repair).toMatchObject({ behind: 1, repaired: 1 })
    await stack.converged([shopper.userId])
  })

  it('moves a cart Redis holds older than PostgreSQL (an old snapshot restored) past it, Redis content kept', async () => {
    const { shoppers, book } = await shoppersWithCarts(1)
    const userId = shoppers[0]?.userId ?? ''
    const keys = cartKeys(userId)
    // Redis as an older snapshot had it: the cart and its counter at version 2, PostgreSQL at 4.
    const snapshot = {
      cart: await stack.redis.dumpBuffer(keys.cart),
      counter: await stack.redis.get(keys.version),
    }
    await stack.addItem(shoppers[0]?.auth ?? {}, book.bookId, 4)
    await stack.addItem(shoppers[0]?.auth ?? {}, book.bookId, 1)
    await stack.converged([userId])
    expect((await stack.storedRows(userId))?.cart.version).toBe(4)
    await stack.redis.restore(keys.cart, 0, snapshot.cart ?? Buffer.from(''), 'REPLACE')
    await stack.redis.set(keys.version, snapshot.counter ?? '0')
    const restored = await stack.redisRows(userId)

    const repair = await stack.runSchedule(scheduler, 'reconcile-carts')
    expect(repair).toMatchObject({ ahead: 1, repaired: 1 })
    await stack.converged([userId])
    const after = await stack.redisRows(userId)
    expect(after?.cart.version).toBeGreaterThan(4)
    expect(after?.items).toEqual(restored?.items)
    expect(stack.logs.some((line) => line.alert === 'cart-redis-behind-postgres')).toBe(true)
  })

  it('leaves a cart changed within the grace period to its own persistence job', async () => {
    // Instances share their schedules' queues: the one without a grace period must not take the run.
    await scheduler.close()
    const patient = await stack.startScheduler({ RECONCILE_GRACE_MS: '600000' })
    const { shoppers } = await shoppersWithCarts(1)
    const userId = shoppers[0]?.userId ?? ''
    await stack.db
      .update(carts)
      .set({ version: sql`${carts.version} - 1` })
      .where(eq(carts.userId, userId))
    const result = await stack.runSchedule(patient, 'reconcile-carts')
    expect(result).toMatchObject({ recent: 1, behind: 0 })
    expect((await stack.storedRows(userId))?.cart.version).toBe(
      ((await stack.redisRows(userId))?.cart.version ?? 0) - 1,
    )
  })
})
