import type { OrderConfirmedEmail } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { messageIdOf } from '../src/domain/email-message'
import { renderEmail } from '../src/templates'

const confirmation: OrderConfirmedEmail = {
  kind: 'order-confirmed',
  to: 'alice@example.com',
  userId: 'user-1',
  orderId: 'order-42',
  lines: [
    { bookId: 'book-0001', title: 'Dune <deluxe>', quantity: 2, unitPriceCents: 1999, lineTotalCents: 3998 },
    { bookId: 'book-0002', title: 'Emma', quantity: 1, unitPriceCents: 299, lineTotalCents: 299 },
  ],
  totalCents: 4297,
  itemCount: 3,
  orderUrl: 'https://shop.example/orders/order-42',
  confirmedAt: Date.UTC(2026, 2, 3, 12),
}

describe('the order confirmation (SPEC O2)', () => {
  it('lists what was bought at the price paid, links to the order, escapes what the catalog says', () => {
    const email = renderEmail(confirmation)
    expect(email.subject).toBe('Your order is confirmed: 3 books, $42.97')
    expect(email.text).toContain('  2 × Dune <deluxe>: $19.99 each, $39.98')
    expect(email.text).toContain('Total paid: $42.97')
    expect(email.text).toContain('Follow your order: https://shop.example/orders/order-42')
    expect(email.text).toContain('(March 3, 2026)')
    expect(email.html).toContain('Dune &lt;deluxe&gt;')
    expect(email.html).not.toContain('<deluxe>')
    expect(email.html).toContain('href="https://shop.example/orders/order-42"')
    // One per order: a resend, or an admin's replay, keeps the Message-ID.
    expect(messageIdOf(confirmation, '1', 'bookstore.local')).toBe(
      messageIdOf(confirmation, '2', 'bookstore.local'),
    )
    expect(() => renderEmail({ ...confirmation, orderUrl: 'javascript:alert(1)' })).toThrow(/only http/)
  })
})
