import { orderHistory } from '@bookstore/db'
import { asc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakePaymentKey } from '../src'
import { type OrderStack, startOrderStack } from './harness'

let stack: OrderStack
beforeAll(async () => {
  // One saga job at once, so one connection in the saga's pool: a step that read through another
  // connection while holding its order's lock would wait for ever (as on PGlite, which serves one).
  stack = await startOrderStack({ orderEnv: { SAGA_CONCURRENCY: '1' } })
})
afterAll(async () => {
  await stack?.close()
})

describe('checkout, the whole saga (SPEC O1-O3)', () => {
  it('confirms the order at the cart prices, sells the stock, takes the lines out of the cart and keeps the history', async () => {
    const dune = await stack.createBook({ stock: 5, priceCents: 1250, title: 'Dune' })
    const emma = await stack.createBook({ stock: 5, priceCents: 899, title: 'Emma' })
    const shopper = await stack.shopperWith([
      [dune.id, 2],
      [emma.id, 1],
    ])
    const answer = await stack.checkout(shopper, shopper.cartVersion)
    expect(answer.status).toBe(202)
    expect(answer.body).toMatchObject({
      status: 'pending',
      userId: shopper.userId,
      cartVersion: shopper.cartVersion,
      totalCents: 2 * 1250 + 899,
      itemCount: 3,
      lines: [
        { bookId: dune.id, quantity: 2, unitPriceCents: 1250, lineTotalCents: 2500 },
        { bookId: emma.id, quantity: 1, unitPriceCents: 899 },
      ],
    })
    const orderId = answer.body.id as string
    const row = await stack.settled(orderId)
    expect(row).toMatchObject({ status: 'confirmed', payment: 'captured', reservation: 'committed' })
    expect([await stack.stockOf(dune.id), await stack.stockOf(emma.id)]).toEqual([3, 4])
    expect(await stack.holds([orderId])).toEqual([expect.objectContaining({ status: 'committed' })])
    expect(await stack.payment(orderId)).toMatchObject({ authorized: true, captured: true, refunded: false })
    // The fake provider's record of the order expires (it was kept for good: a key per order, bench:soak).
    expect(await stack.redis.ttl(fakePaymentKey(orderId))).toBeGreaterThan(24 * 3600)
    expect(await stack.cart(shopper.userId)).toMatchObject({ items: [], version: shopper.cartVersion + 1 })
    const history = await stack.db
      .select()
      .from(orderHistory)
      .where(eq(orderHistory.orderId, orderId))
      .orderBy(asc(orderHistory.id))
    expect(history.map((entry) => [entry.fromStatus, entry.toStatus, entry.actor])).toEqual([
      [null, 'pending', 'shopper'],
      ['pending', 'confirmed', 'system'],
    ])
    const mine = await stack.call(`${stack.orderApiUrl()}/orders/${orderId}`, { headers: shopper.auth })
    expect(mine.body).toMatchObject({
      status: 'confirmed',
      revision: 2,
      history: [{ to: 'pending' }, { to: 'confirmed' }],
    })
  })
})
