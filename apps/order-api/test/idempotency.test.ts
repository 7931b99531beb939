import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OrderStack, startOrderStack } from './harness'

let stack: OrderStack
beforeAll(async () => {
  stack = await startOrderStack()
})
afterAll(async () => {
  await stack?.close()
})

describe('a checkout sent more than once (SPEC O1, O3)', () => {
  it('the same checkout twice at once, then again later: one order, one capture', async () => {
    const book = await stack.createBook({ stock: 10 })
    const shopper = await stack.shopperWith([[book.id, 2]])
    const [first, second] = await Promise.all([
      stack.checkout(shopper, shopper.cartVersion, 'same-key'),
      stack.checkout(shopper, shopper.cartVersion, 'same-key'),
    ])
    expect(first?.body.id).toBeDefined()
    expect(second?.body.id).toBe(first?.body.id)
    expect([first?.status, second?.status].sort()).toEqual([200, 202])
    const orderId = first?.body.id as string
    await stack.settled(orderId)
    // Later, after it is confirmed (and the cart moved on): the same order, as it is now.
    const later = await stack.checkout(shopper, shopper.cartVersion, 'same-key')
    expect(later.status).toBe(200)
    expect(later.headers.get('idempotent-replayed')).toBe('true')
    expect(later.body).toMatchObject({ id: orderId, status: 'confirmed' })
    const list = await stack.call(`${stack.orderApiUrl()}/orders`, { headers: shopper.auth })
    expect(list.body).toMatchObject({ totalItems: 1, items: [{ id: orderId }] })
    const payment = await stack.payment(orderId)
    expect(payment).toMatchObject({ captured: true, refunded: false })
    expect(payment.captures).toBe(1)
    expect(payment.calls.capture).toBe(1)
    expect(await stack.stockOf(book.id)).toBe(8)
  })

  it('the same key with another cart version is refused and changes nothing', async () => {
    const book = await stack.createBook({ stock: 10 })
    const shopper = await stack.shopperWith([[book.id, 1]])
    const first = await stack.checkout(shopper, shopper.cartVersion, 'key-2')
    expect(first.status).toBe(202)
    const reused = await stack.checkout(shopper, shopper.cartVersion + 5, 'key-2')
    expect(reused.status).toBe(422)
    expect(reused.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } })
    await stack.settled(first.body.id as string)
    const list = await stack.call(`${stack.orderApiUrl()}/orders`, { headers: shopper.auth })
    expect(list.body).toMatchObject({ totalItems: 1 })
  })
})
