import { carts } from '@bookstore/db'
import { bookCartsKey, cartKeys } from '@bookstore/events'
import { waitFor } from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scheduleQueueName } from '../src/schedules'
import { startStack, type TestStack } from './harness'

// SPEC P6 (daily re-sync) by the hydration rules of C5 and C3: carts PostgreSQL holds that Redis
// lost come back, with their versions, indexed for catalog propagation; carts that expired on
// purpose stay gone.
describe('daily re-sync', () => {
  let stack: TestStack

  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack?.close())

  it('restores lost carts from PostgreSQL and leaves present and expired ones alone', async () => {
    const scheduler = await stack.startScheduler({ RESYNC_BATCH_SIZE: '2', RESYNC_BATCH_PAUSE_MS: '1' })
    const book = await stack.seedBook()
    const shoppers = await Promise.all(Array.from({ length: 6 }, () => stack.shopper()))
    for (const [index, shopper] of shoppers.entries()) {
      await stack.addItem(shopper.auth, book.bookId, index + 1)
      await stack.addItem(shopper.auth, book.bookId, 1)
    }
    const [docLost, allLost, counterAhead, expired, present, untouched] = shoppers.map((s) => s.userId)
    if (!docLost || !allLost || !counterAhead || !expired || !present || !untouched)
      throw new Error('six shoppers expected')
    await stack.converged(shoppers.map((shopper) => shopper.userId))
    const before = {
      docLost: await stack.redisRows(docLost),
      allLost: await stack.redisRows(allLost),
    }

    // docLost: the cart key is gone, its version counter is not.
    await stack.redis.del(cartKeys(docLost).cart)
    // allLost: everything of the cart is gone, as after a Redis restart without persistence.
    await stack.redis.del(cartKeys(allLost).cart, cartKeys(allLost).version)
    await stack.redis.zrem(bookCartsKey(book.bookId), allLost)
    // counterAhead: a change committed in Redis never reached PostgreSQL, then the cart was lost.
    await stack.stopWorker()
    const shopper = shoppers[2]
    if (!shopper) throw new Error('no shopper')
    await stack.addItem(shopper.auth, book.bookId, 5)
    await stack.dropPersistenceJobs()
    await stack.startWorker()
    const aheadVersion = Number(await stack.redis.get(cartKeys(counterAhead).version))
    await stack.redis.del(cartKeys(counterAhead).cart)
    // expired: idle longer than the cart expiry, gone from Redis on purpose.
    await stack.db
      .update(carts)
      .set({ updatedAt: new Date(Date.now() - 90 * 24 * 3600_000) })
      .where(eq(carts.userId, expired))
    await stack.redis.del(cartKeys(expired).cart)

    const result = await stack.runSchedule(scheduler, 'resync-carts')
    expect(result).toMatchObject({ checked: 5, restored: 3 })

    expect(await stack.redisRows(docLost)).toEqual(before.docLost)
    expect(await stack.redisRows(allLost)).toEqual(before.allLost)
    expect(await stack.redis.zscore(bookCartsKey(book.bookId), allLost)).not.toBeNull()
    // Restored without the change PostgreSQL never got, under a version of its own, then persisted.
    const restored = await stack.redisRows(counterAhead)
    expect(restored?.cart.version).toBe(aheadVersion + 1)
    expect(restored?.items[0]?.quantity).toBe(4)
    await stack.converged([counterAhead])
    expect(await stack.redis.exists(cartKeys(expired).cart)).toBe(0)
    expect(await stack.redis.exists(cartKeys(present).cart)).toBe(1)

    // The shopper's cart works as before: the next change builds on the restored version.
    const allLostShopper = shoppers[1]
    if (!allLostShopper) throw new Error('no shopper')
    const next = await stack.addItem(allLostShopper.auth, book.bookId, 1)
    expect(next.version).toBe((before.allLost?.cart.version ?? 0) + 1)

    const again = await stack.runSchedule(scheduler, 'resync-carts')
    expect(again).toMatchObject({ restored: 0 })
  })
})

// SPEC E4: a shutdown does not wait for a sweep over every cart, only for the page in hand; the
// run ends as done (stopped) and the next one covers the rest.
describe('graceful shutdown', () => {
  let stack: TestStack

  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack?.close())

  it('stops a long sweep between pages and finishes the run', async () => {
    const book = await stack.seedBook()
    const shoppers = await Promise.all(Array.from({ length: 8 }, () => stack.shopper()))
    for (const shopper of shoppers) await stack.addItem(shopper.auth, book.bookId, 1)
    await stack.converged(shoppers.map((shopper) => shopper.userId))
    const scheduler = await stack.startScheduler({ RESYNC_BATCH_SIZE: '1', RESYNC_BATCH_PAUSE_MS: '300' })
    const started = await scheduler.inject({
      method: 'POST',
      url: '/admin/schedules/resync-carts/run',
      headers: await stack.adminAuth(),
    })
    const { jobId } = started.json<{ jobId: string }>()
    const queue = new Queue(scheduleQueueName('resync-carts'), {
      connection: stack.redis,
      prefix: stack.queuePrefix,
    })
    await waitFor(async () => (await queue.getJobState(jobId)) === 'active', 'the run to start')
    await scheduler.close()
    expect(await queue.getJobState(jobId)).toBe('completed')
    const job = await queue.getJob(jobId)
    expect(job?.returnvalue).toMatchObject({ stopped: true })
    expect(job?.returnvalue.checked).toBeLessThan(8)
    await queue.close()
  })
})
