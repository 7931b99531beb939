import { type Cart, emptyCart } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { cartView, isNewer, type PendingChange, quantityIn } from '../src/cart/cart-view'

const line = (bookId: string, quantity: number, unitPriceCents = 1000) => ({
  bookId,
  title: `Title of ${bookId}`,
  unitPriceCents,
  quantity,
  lineTotalCents: unitPriceCents * quantity,
  addedAt: 1,
})
const cart = (version: number, items: ReturnType<typeof line>[]): Cart => ({
  ...emptyCart('user-1', version),
  items,
  totalCents: items.reduce((sum, item) => sum + item.lineTotalCents, 0),
  itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
  updatedAt: 1,
})

describe('which cart state wins (SPEC RT3)', () => {
  it('takes only a newer version: a late or repeated one never undoes a newer state', () => {
    expect(isNewer(undefined, cart(0, []))).toBe(true)
    expect(isNewer(cart(4, []), cart(5, []))).toBe(true)
    expect(isNewer(cart(5, []), cart(5, [line('book-1', 1)]))).toBe(false)
    expect(isNewer(cart(5, []), cart(3, [line('book-1', 1)]))).toBe(false)
  })
})

describe('changes under way, laid over the confirmed cart', () => {
  const confirmed = cart(3, [line('book-1', 1), line('book-2', 2, 500)])

  it('shows an added line, a new quantity, a removal and a clear, with totals', () => {
    const changes: PendingChange[] = [
      {
        id: 'a',
        kind: 'set-line',
        bookId: 'book-3',
        quantity: 2,
        line: { title: 'Three', unitPriceCents: 250 },
      },
      { id: 'b', kind: 'set-line', bookId: 'book-1', quantity: 4 },
      { id: 'c', kind: 'set-line', bookId: 'book-2', quantity: 0 },
    ]
    const view = cartView(confirmed, changes, 9)
    expect(view?.items.map((item) => [item.bookId, item.quantity, item.lineTotalCents])).toEqual([
      ['book-1', 4, 4000],
      ['book-3', 2, 500],
    ])
    expect(view).toMatchObject({ version: 3, totalCents: 4500, itemCount: 6 })
    expect(cartView(confirmed, [...changes, { id: 'd', kind: 'clear' }])).toMatchObject({
      items: [],
      totalCents: 0,
      itemCount: 0,
    })
    expect(cartView(confirmed, [])).toBe(confirmed)
    expect(cartView(undefined, changes)).toBeUndefined()
  })

  it('never counts an addition twice when the server state already holds it', () => {
    // "Add one more of book-1" was asked with 1 in the cart: the change is "book-1 at 2".
    const change: PendingChange = { id: 'a', kind: 'set-line', bookId: 'book-1', quantity: 2 }
    const arrivedFirst = cart(4, [line('book-1', 2), line('book-2', 2, 500)])
    expect(quantityIn(cartView(arrivedFirst, [change]), 'book-1')).toBe(2)
    expect(quantityIn(cartView(confirmed, [change]), 'book-1')).toBe(2)
  })

  it('leaves a line it knows nothing about alone rather than invent one', () => {
    const change: PendingChange = { id: 'a', kind: 'set-line', bookId: 'book-9', quantity: 2 }
    expect(cartView(confirmed, [change])?.items).toHaveLength(2)
  })
})
