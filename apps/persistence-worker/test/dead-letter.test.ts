import { cartPersistenceJobNames, queueNames } from '@bookstore/events'
import { metricValue, openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { durableCart, poisonCarts, startStack, type TestStack } from './harness'

let database: TestDatabase
let stack: TestStack
let carts: Awaited<ReturnType<typeof poisonCarts>>
beforeAll(async () => {
  database = await openTestDatabase()
  // A real failure in PostgreSQL, for chosen carts only: a trigger refuses their rows.
  carts = await poisonCarts(database)
  stack = await startStack(database, {
    cartApiEnv: { PERSISTENCE_JOB_ATTEMPTS: '3', PERSISTENCE_JOB_BACKOFF_MS: '20' },
    workerEnv: { SYNC_ATTEMPTS: '30', SYNC_BACKOFF_MS: '50' },
  })
})
afterAll(async () => {
  await stack.close()
  await database.drop()
})

const admin = async () => ({ authorization: `Bearer ${await stack.adminToken()}` })

describe('the dead-letter queue (SPEC P4)', () => {
  it('parks a job after its last attempt, counts an alert, and the full sync repairs the cart', async () => {
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook()
    await carts.poison(userId)
    expect((await stack.addItem(auth, book.bookId, 2)).statusCode).toBe(200)

    await expect.poll(() => stack.dlq.getWaitingCount(), { timeout: 15_000 }).toBe(1)
    expect(await metricValue(stack.worker, 'cart_persistence_dead_letter_alerts_total')).toBe(1)
    expect(await metricValue(stack.worker, 'cart_persistence_dead_letter_jobs')).toBe(1)
    // Queue depth per queue and state (SPEC E2).
    const metrics = (await stack.worker.inject({ url: '/metrics' })).body.split('\n')
    const depth = metrics.find(
      (line) =>
        line.startsWith('queue_jobs{') &&
        line.includes(`queue="${queueNames.cartPersistenceDeadLetter}"`) &&
        line.includes('state="waiting"'),
    )
    expect(depth?.split(' ').at(-1)).toBe('1')
    expect(await durableCart(database, userId)).toBeUndefined()

    const list = await stack.worker.inject({ url: '/admin/dead-letters', headers: await admin() })
    expect(list.statusCode).toBe(200)
    expect(list.json()).toMatchObject({
      total: 1,
      jobs: [
        {
          name: cartPersistenceJobNames.persist,
          userIds: [userId],
          attemptsMade: 3,
          queue: '{cart-persistence}',
        },
      ],
    })
    expect(list.json().jobs[0].failedReason).toContain('poisoned cart')

    // The cause goes away: the full-cart sync (retrying on its own) repairs the cart.
    await carts.cure(userId)
    await stack.expectConverged([userId])
    expect((await durableCart(database, userId))?.items[0]?.quantity).toBe(2)

    // The parked job stays until an admin acts: replay puts it back on its queue (a no-op now).
    const { id } = list.json().jobs[0]
    const customer = await stack.shopper()
    const refused = await stack.worker.inject({
      method: 'POST',
      url: `/admin/dead-letters/${id}/replay`,
      headers: customer.auth,
    })
    expect(refused.statusCode).toBe(403)
    const replay = await stack.worker.inject({
      method: 'POST',
      url: `/admin/dead-letters/${id}/replay`,
      headers: await admin(),
    })
    expect(replay.statusCode).toBe(200)
    const replayed = await stack.queue.getJob(replay.json().replayedAs)
    await expect
      .poll(async () => (replayed ? await replayed.getState() : 'unknown'), { timeout: 10_000 })
      .not.toMatch(/waiting|active|delayed/)
    expect(await stack.dlq.getWaitingCount()).toBe(0)
    const again = await stack.worker.inject({
      method: 'POST',
      url: `/admin/dead-letters/${id}/replay`,
      headers: await admin(),
    })
    expect(again.statusCode).toBe(404)
    expect(again.json().error.code).toBe('DEAD_LETTER_NOT_FOUND')
  })

  it('parks a job that can never succeed at once, and discards it on request', async () => {
    await stack.queue.add(cartPersistenceJobNames.persist, {
      commits: [{ userId: 'not valid!', version: 0 }],
    })
    await expect.poll(() => stack.dlq.getWaitingCount(), { timeout: 10_000 }).toBe(1)
    const list = await stack.worker.inject({ url: '/admin/dead-letters', headers: await admin() })
    const [parked] = list.json().jobs
    expect(parked).toMatchObject({ attemptsMade: 1, userIds: [] })
    expect(parked.failedReason).toContain('invalid persist-carts payload')
    const discard = await stack.worker.inject({
      method: 'DELETE',
      url: `/admin/dead-letters/${parked.id}`,
      headers: await admin(),
    })
    expect(discard.json()).toEqual({ discarded: true })
    expect(await stack.dlq.getWaitingCount()).toBe(0)
    const bad = await stack.worker.inject({ url: '/admin/dead-letters?limit=0', headers: await admin() })
    expect(bad.statusCode).toBe(400)
  })
})
