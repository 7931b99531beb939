import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OrderStack, startOrderStack } from './harness'

let stack: OrderStack
beforeAll(async () => {
  // No reservation worker yet: every checkout is let in before any stock is held, so the race is
  // decided by the reservations alone (two book-api workers, several jobs each at once).
  stack = await startOrderStack({ bookEnv: { RESERVATION_WORKER: 'false' } })
})
afterAll(async () => {
  await stack?.close()
})

describe('the last copies (SPEC O1: two shoppers cannot buy the last copy)', () => {
  it('50 shoppers race for 3 copies: 3 orders confirmed, 47 refused naming the line, stock 0, no hold left', {
    timeout: 120_000,
  }, async () => {
    const book = await stack.createBook({ stock: 3, title: 'The Last Copies' })
    const shoppers = await Promise.all(Array.from({ length: 50 }, () => stack.shopperWith([[book.id, 1]])))
    const answers = await Promise.all(shoppers.map((shopper) => stack.checkout(shopper, shopper.cartVersion)))
    expect(answers.map((answer) => answer.status)).toEqual(shoppers.map(() => 202))
    const orderIds = answers.map((answer) => answer.body.id as string)
    const workers = { RESERVATION_WORKER: 'true', RESERVATION_CONCURRENCY: '8' }
    await Promise.all([stack.start('book-api', { env: workers }), stack.start('book-api', { env: workers })])
    const settled = await Promise.all(orderIds.map((orderId) => stack.settled(orderId, 90_000)))

    const confirmed = settled.filter((row) => row.status === 'confirmed')
    const refused = settled.filter((row) => row.status === 'cancelled')
    expect(confirmed).toHaveLength(3)
    expect(refused).toHaveLength(47)
    for (const row of refused) {
      expect(row).toMatchObject({ cancelReason: 'stock-refused', payment: 'none', reservation: 'refused' })
      expect(row.refusedLines).toEqual([{ bookId: book.id, requested: 1, available: 0 }])
    }
    for (const row of confirmed)
      expect(await stack.payment(row.id)).toMatchObject({ captured: true, refunded: false })
    // Nobody refused was ever charged or even authorized.
    for (const row of refused) expect((await stack.payment(row.id)).calls).toEqual({})
    expect(await stack.stockOf(book.id)).toBe(0)
    const holds = await stack.holds(orderIds)
    expect(holds.filter((hold) => hold.status === 'held')).toEqual([])
    expect(holds.filter((hold) => hold.status === 'committed')).toHaveLength(3)
    // The shopper sees why, on the order itself.
    for (const row of refused.slice(0, 1))
      expect(await stack.order(row.id)).toMatchObject({
        status: 'cancelled',
        cancelReason: 'stock-refused',
        refusedLines: [{ bookId: book.id, requested: 1, available: 0 }],
      })
  })
})
