import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/api-error'
import { knownNotices, lineHints, noticeText } from '../src/cart/cart-notices'
import { refusalMessage } from '../src/cart/cart-refusals'
import { formatMoney } from '../src/format/money'

const item = {
  bookId: 'book-1',
  title: 'Dune',
  unitPriceCents: 2999,
  quantity: 3,
  lineTotalCents: 8997,
  addedAt: 1,
}

describe('what the cart says to the shopper', () => {
  it('formats cents in the shopper’s own number format', () => {
    expect(formatMoney(3899, 'en-US')).toBe('$38.99')
    expect(formatMoney(123_450, 'en-US')).toBe('$1,234.50')
    // German puts the sign after the amount, with a no-break space.
    expect(formatMoney(3899, 'de-DE')).toMatch(/^38,99\s\$$/)
  })

  it('says each catalog notice, and skips kinds it does not know', () => {
    const notices = knownNotices([
      { kind: 'price-changed', bookId: 'book-1', title: 'Dune', fromCents: 3899, toCents: 2999 },
      { kind: 'stock-limited', bookId: 'book-1', title: 'Dune', quantity: 3, availableStock: 2 },
      { kind: 'book-removed', bookId: 'book-2', title: 'Emma' },
      { kind: 'a-later-kind', bookId: 'book-3' },
      { kind: 'price-changed', bookId: 'book-1' },
    ])
    expect(notices.map((notice) => noticeText(notice, 'en-US'))).toEqual([
      'The price of “Dune” changed from $38.99 to $29.99.',
      'Only 2 left of “Dune”; you have 3 in your cart.',
      '“Emma” is no longer sold and was taken out of your cart.',
    ])
    expect(knownNotices(undefined)).toEqual([])
  })

  it('marks a line with a changed price, short stock or none', () => {
    expect(lineHints(item, 'en-US')).toEqual([])
    expect(lineHints({ ...item, previousUnitPriceCents: 3899, availableStock: 2 }, 'en-US')).toEqual([
      'Price changed from $38.99 to $29.99',
      'Only 2 left: lower the quantity to check out',
    ])
    expect(lineHints({ ...item, outOfStock: true, availableStock: 0 }, 'en-US')).toEqual([
      'Out of stock: remove it to check out',
    ])
    expect(lineHints({ ...item, previousUnitPriceCents: 2999 })).toEqual([])
  })

  it("turns cart-api's refusals into sentences by their codes", () => {
    const refusal = (code: string, details: Record<string, unknown> = {}, status = 409) =>
      refusalMessage(new ApiError(status, code, 'server words', details), 'Dune')
    expect(refusal('CART_OUT_OF_STOCK', { available: 2 })).toBe(
      'Only 2 of “Dune” left in stock: your cart was not changed.',
    )
    expect(refusal('CART_OUT_OF_STOCK', { available: 0 })).toBe(
      '“Dune” is out of stock: your cart was not changed.',
    )
    expect(refusal('BOOK_NOT_FOUND', {}, 404)).toBe('“Dune” is no longer sold.')
    expect(refusal('STORE_UNAVAILABLE', {}, 503)).toContain('Try again in a moment')
    expect(refusal('SOMETHING_NEW', {}, 400)).toBe('server words: “Dune” was not changed.')
    expect(refusalMessage(new Error('boom'), 'Dune')).toBe('Could not change “Dune” in your cart.')
  })
})
