import type { Order } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { orderEventFrame } from '../src/domain/frames'

const order = (userId: string): Order => ({
  id: 'order-1',
  userId,
  status: 'confirmed',
  revision: 2,
  cartVersion: 3,
  lines: [{ bookId: 'book-1', title: 'Dune', unitPriceCents: 1250, quantity: 1, lineTotalCents: 1250 }],
  totalCents: 1250,
  itemCount: 1,
  currency: 'USD',
  payment: 'captured',
  cancelReason: null,
  refusedLines: null,
  reservationExpiresAt: 1,
  createdAt: 1,
  updatedAt: 2,
})

describe('order frames (SPEC O2)', () => {
  it("forwards an order event of the channel's user as published, and nothing else", () => {
    const raw = JSON.stringify({ type: 'order.changed', order: order('alice'), from: 'pending' })
    expect(orderEventFrame(raw, 'alice')?.toString()).toBe(raw)
    // Someone else's order on Alice's channel (a bug or a forgery) never reaches her sockets.
    expect(orderEventFrame(raw, 'mallory')).toBeUndefined()
    expect(orderEventFrame('{"type":"order.changed"}', 'alice')).toBeUndefined()
    expect(orderEventFrame('not json', 'alice')).toBeUndefined()
  })
})
