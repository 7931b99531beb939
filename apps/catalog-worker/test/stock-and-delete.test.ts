import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listenToCart, startStack, type TestStack, waitFor } from './harness'

let stack: TestStack
beforeAll(async () => {
  // The second sweep runs after cart-api's book cache (1 s) has expired, as in production.
  stack = await startStack({ resweepDelayMs: 1500 })
})
afterAll(async () => {
  await stack?.close()
})

describe('stock changes and deletions reach the carts and the shopper hears them (SPEC B4, B5)', () => {
  it('flags quantities above stock, marks out of stock, clears the flags on restock', async () => {
    const book = await stack.createBook({ stock: 10 })
    const many = await stack.shopper()
    const one = await stack.shopper()
    expect((await stack.addItem(many, book.id, 3)).statusCode).toBe(200)
    expect((await stack.addItem(one, book.id, 1)).statusCode).toBe(200)
    const listener = await listenToCart(many.userId)

    await stack.changeBook('PUT', `/admin/books/${book.id}/stock`, { stock: 2 })
    await waitFor(
      async () => (await stack.cart(many.userId))?.items[0]?.availableStock === 2,
      'the line flagged',
    )
    expect((await stack.cart(one.userId))?.version).toBe(1)
    const limited = await waitFor(
      async () => listener.messages.find((m) => m.op === 'book-stock-changed'),
      'the notice',
    )
    expect(limited.notices).toEqual([
      { kind: 'stock-limited', bookId: book.id, title: 'Release It!', quantity: 3, availableStock: 2 },
    ])

    await stack.changeBook('PUT', `/admin/books/${book.id}/stock`, { stock: 0 })
    await waitFor(async () => {
      const carts = await Promise.all([many, one].map((shopper) => stack.cart(shopper.userId)))
      return carts.every((cart) => cart?.items[0]?.outOfStock === true && cart.items[0].availableStock === 0)
    }, 'both lines out of stock')
    const soldOut = await waitFor(
      async () => listener.messages.find((m) => m.notices?.[0]?.kind === 'out-of-stock'),
      'out-of-stock notice',
    )
    expect(soldOut.notices).toEqual([{ kind: 'out-of-stock', bookId: book.id, title: 'Release It!' }])
    // cart-api refuses more of a sold-out book (once the second sweep ran, its 1 s cache has expired).
    await waitFor(() => stack.catalogIdle(), 'both sweeps done')
    const refused = await stack.addItem(one, book.id)
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error.code).toBe('CART_OUT_OF_STOCK')

    await stack.changeBook('PUT', `/admin/books/${book.id}/stock`, { stock: 20 })
    await waitFor(async () => {
      const item = (await stack.cart(many.userId))?.items[0]
      return item !== undefined && item.outOfStock === undefined && item.availableStock === undefined
    }, 'flags cleared')
    await waitFor(
      async () => listener.messages.find((m) => m.notices?.[0]?.kind === 'back-in-stock'),
      'back-in-stock notice',
    )
    await listener.close()
  })

  it('removes a deleted book from every cart and tells the shopper; cart-api then refuses it', async () => {
    const book = await stack.createBook()
    const keep = await stack.createBook({ title: 'Kept' })
    const shopper = await stack.shopper()
    expect((await stack.addItem(shopper, book.id, 2)).statusCode).toBe(200)
    expect((await stack.addItem(shopper, keep.id)).statusCode).toBe(200)
    const listener = await listenToCart(shopper.userId)

    await stack.changeBook('DELETE', `/admin/books/${book.id}`)
    const cart = await waitFor(async () => {
      const current = await stack.cart(shopper.userId)
      return current?.items.length === 1 && current
    }, 'the line removed')
    expect(cart.items.map((item) => item.bookId)).toEqual([keep.id])
    expect(cart.totalCents).toBe(3999)
    expect(cart.version).toBe(3)
    const removed = await waitFor(
      async () => listener.messages.find((m) => m.op === 'book-deleted'),
      'the notice',
    )
    expect(removed.notices).toEqual([{ kind: 'book-removed', bookId: book.id, title: 'Release It!' }])
    // The second sweep finds nothing left to do: no further version; cart-api refuses the book.
    await waitFor(() => stack.catalogIdle(), 'both sweeps done')
    expect((await stack.cart(shopper.userId))?.version).toBe(3)
    const refused = await stack.addItem(shopper, book.id)
    expect(refused.statusCode).toBe(404)
    expect(refused.json().error.code).toBe('BOOK_NOT_FOUND')
    await listener.close()
  })
})
