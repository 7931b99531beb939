import type { Order } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { newerOrder, OrderFeed } from '../src/orders/order-feed'
import {
  adminMoves,
  cancelText,
  refusedLineText,
  shopperMayCancel,
  transitionText,
} from '../src/orders/order-status'

const order = (revision: number, status: Order['status'], history?: Order['history']): Order => ({
  id: 'order-1',
  userId: 'user-1',
  status,
  revision,
  cartVersion: 3,
  lines: [{ bookId: 'book-1', title: 'Dune', unitPriceCents: 1000, quantity: 1, lineTotalCents: 1000 }],
  totalCents: 1000,
  itemCount: 1,
  currency: 'USD',
  payment: 'none',
  cancelReason: null,
  refusedLines: null,
  reservationExpiresAt: 10,
  createdAt: 1,
  updatedAt: 1,
  ...(history && { history }),
})
const placedStep = { from: null, to: 'pending' as const, reason: null, actor: 'shopper', at: 1 }
const confirmedStep = {
  from: 'pending' as const,
  to: 'confirmed' as const,
  reason: 'payment captured',
  actor: 'system',
  at: 2,
}

describe('which state of an order wins (by revision)', () => {
  it('takes a newer revision, never an older or repeated one', () => {
    expect(newerOrder(undefined, order(1, 'pending')).status).toBe('pending')
    expect(newerOrder(order(2, 'confirmed'), order(1, 'pending')).status).toBe('confirmed')
    expect(newerOrder(order(3, 'shipped'), order(3, 'shipped'))).toEqual(order(3, 'shipped'))
    expect(newerOrder(order(2, 'confirmed'), order(3, 'shipped')).status).toBe('shipped')
  })

  it("keeps the held history under a socket message (it has none), and a read's history replaces it", () => {
    const held = order(1, 'pending', [placedStep])
    const heard = newerOrder(held, order(2, 'confirmed'))
    expect(heard.status).toBe('confirmed')
    expect(heard.history).toEqual([placedStep])
    // The read of the same revision has the step the message announced.
    const read = newerOrder(heard, order(2, 'confirmed', [placedStep, confirmedStep]))
    expect(read.history).toEqual([placedStep, confirmedStep])
    // A late message of that revision changes nothing.
    expect(newerOrder(read, order(2, 'confirmed'))).toBe(read)
  })

  it('passes every message to every page that listens, until it stops', () => {
    const feed = new OrderFeed()
    const seen: string[] = []
    const stop = feed.subscribe((message) => seen.push(message.kind))
    feed.publish({ kind: 'order', order: order(1, 'pending'), from: null })
    feed.publish({ kind: 'resumed' })
    stop()
    feed.publish({ kind: 'resumed' })
    expect(seen).toEqual(['order', 'resumed'])
  })
})

describe('order states in words', () => {
  it('names each step of the history and who made it', () => {
    expect(transitionText(placedStep)).toBe('Placed by you')
    expect(transitionText(confirmedStep)).toBe('Confirmed: payment captured')
    expect(transitionText({ from: 'confirmed', to: 'shipped', reason: null, actor: 'admin', at: 3 })).toBe(
      'Shipped by the shop',
    )
    expect(
      transitionText({ from: 'confirmed', to: 'cancelled', reason: 'shopper', actor: 'shopper', at: 3 }),
    ).toBe('Cancelled by you')
    expect(
      transitionText({ from: 'pending', to: 'cancelled', reason: 'stock-refused', actor: 'system', at: 3 }),
    ).toBe('Cancelled: Some books sold out before we could hold them for you.')
  })

  it('says why an order was cancelled and what became of the money', () => {
    const refused = { ...order(2, 'cancelled'), cancelReason: 'stock-refused' as const }
    expect(cancelText(refused)).toBe(
      'Some books sold out before we could hold them for you. You were not charged.',
    )
    expect(cancelText({ ...refused, cancelReason: 'shopper', payment: 'refunded' })).toBe(
      'You cancelled it. Your payment was refunded.',
    )
    expect(refusedLineText({ bookId: 'book-1', requested: 2, available: 0 }, 'Dune')).toBe('“Dune” sold out.')
    expect(refusedLineText({ bookId: 'book-1', requested: 3, available: 1 }, 'Dune')).toBe(
      'Only 1 of “Dune” left; you asked for 3.',
    )
  })

  it("follows order-api's transitions: the shopper cancels until it ships, the admin moves it along", () => {
    expect(
      ['pending', 'confirmed', 'shipped', 'delivered', 'cancelled'].filter((status) =>
        shopperMayCancel(status as Order['status']),
      ),
    ).toEqual(['pending', 'confirmed'])
    expect(adminMoves('confirmed')).toEqual(['shipped', 'cancelled'])
    expect(adminMoves('shipped')).toEqual(['delivered'])
    expect(adminMoves('delivered')).toEqual([])
  })
})
