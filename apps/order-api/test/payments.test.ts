import { afterEach, describe, expect, it } from 'vitest'
import { type OrderStack, startOrderStack, waitFor } from './harness'

let stack: OrderStack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

/** A stack whose fake provider behaves as told; holds of 2 s, so an unpaid order ends soon. */
async function withProvider(env: Record<string, string>) {
  stack = await startOrderStack({
    orderEnv: { RESERVATION_TTL_SECONDS: '2', ORDER_EXPIRY_GRACE_MS: '300', SWEEP_STALE_MS: '500', ...env },
  })
  stack.runSweeps()
  return stack
}

async function orderOf(current: OrderStack, stock = 5) {
  const book = await current.createBook({ stock })
  const shopper = await current.shopperWith([[book.id, 2]])
  const answer = await current.checkout(shopper, shopper.cartVersion)
  expect(answer.status).toBe(202)
  return { book, shopper, orderId: answer.body.id as string }
}

describe('payment (SPEC O3: no order confirmed without a capture, no capture kept without an order)', () => {
  it('declined: the order is cancelled, nothing captured, the hold released', async () => {
    const current = await withProvider({ FAKE_PAYMENT_AUTHORIZE: 'decline' })
    const { book, orderId, shopper } = await orderOf(current)
    const row = await current.settled(orderId)
    expect(row).toMatchObject({
      status: 'cancelled',
      cancelReason: 'payment-declined',
      payment: 'declined',
      reservation: 'released',
    })
    expect(await current.payment(orderId)).toMatchObject({ authorized: false, captured: false })
    expect(await current.stockOf(book.id)).toBe(5)
    expect(await current.holds([orderId])).toEqual([expect.objectContaining({ status: 'released' })])
    expect(await current.paidAsItShould(orderId)).toBe(true)
    // The cart is the shopper's still: nothing was bought.
    expect(await current.cart(shopper.userId)).toMatchObject({
      items: [expect.objectContaining({ bookId: book.id })],
    })
  })

  it('timed out for good: the order ends when its hold expires, nothing captured, stock back', {
    timeout: 40_000,
  }, async () => {
    const current = await withProvider({ FAKE_PAYMENT_AUTHORIZE: 'timeout' })
    const { book, orderId } = await orderOf(current)
    await waitFor(
      async () => ((await current.payment(orderId)).calls.authorize ?? 0) >= 2,
      'authorize to be retried',
    )
    const row = await current.settled(orderId)
    expect(row).toMatchObject({
      status: 'cancelled',
      cancelReason: 'reservation-expired',
      payment: 'none',
      reservation: 'released',
    })
    expect(await current.payment(orderId)).toMatchObject({ captured: false })
    expect(await current.stockOf(book.id)).toBe(5)
    expect(await current.paidAsItShould(orderId)).toBe(true)
  })

  it('answered twice (the first answer too late): one capture, the order confirmed', async () => {
    const current = await withProvider({
      FAKE_PAYMENT_AUTHORIZE: 'twice',
      FAKE_PAYMENT_CAPTURE: 'twice',
      RESERVATION_TTL_SECONDS: '30',
    })
    const { book, orderId } = await orderOf(current)
    const row = await current.settled(orderId)
    expect(row).toMatchObject({ status: 'confirmed', payment: 'captured' })
    const payment = await current.payment(orderId)
    expect(payment).toMatchObject({ captured: true, refunded: false })
    expect(payment.calls.capture).toBeGreaterThanOrEqual(2)
    expect(payment.captures).toBe(1)
    expect(await current.stockOf(book.id)).toBe(3)
    expect(await current.paidAsItShould(orderId)).toBe(true)
  })

  it('a capture that succeeded for an order cancelled meanwhile is refunded, never kept', {
    timeout: 40_000,
  }, async () => {
    // The capture's answer is lost and its retry waits: the shopper cancels in between.
    const current = await withProvider({
      FAKE_PAYMENT_CAPTURE: 'twice',
      SAGA_JOB_BACKOFF_MS: '4000',
      RESERVATION_TTL_SECONDS: '60',
    })
    const { book, orderId, shopper } = await orderOf(current)
    await waitFor(async () => (await current.payment(orderId)).captured, 'the provider to capture')
    const cancel = await current.call(`${current.orderApiUrl()}/orders/${orderId}/cancel`, {
      method: 'POST',
      headers: shopper.auth,
    })
    expect(cancel.status).toBe(200)
    expect(cancel.body).toMatchObject({ status: 'cancelled', cancelReason: 'shopper' })
    const row = await current.settled(orderId)
    expect(row).toMatchObject({ status: 'cancelled', payment: 'refunded', reservation: 'released' })
    expect(await current.payment(orderId)).toMatchObject({ captured: true, refunded: true })
    expect(await current.stockOf(book.id)).toBe(5)
    expect(await current.paidAsItShould(orderId)).toBe(true)
  })

  it('a capture declined after the stock was sold: cancelled, the authorization voided, the stock back', async () => {
    const current = await withProvider({ FAKE_PAYMENT_CAPTURE: 'decline', RESERVATION_TTL_SECONDS: '30' })
    const { book, orderId } = await orderOf(current)
    const row = await current.settled(orderId)
    expect(row).toMatchObject({
      status: 'cancelled',
      cancelReason: 'payment-declined',
      payment: 'voided',
      reservation: 'released',
    })
    expect(await current.payment(orderId)).toMatchObject({ authorized: true, captured: false, voided: true })
    expect(await current.stockOf(book.id)).toBe(5)
  })
})
