import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OrderStack, startOrderStack, waitFor } from './harness'

let stack: OrderStack
beforeAll(async () => {
  // No catalog-worker: a catalog change reaches the read model but not the carts, so a checkout
  // sees the cart as the shopper saw it and the book as it is now.
  stack = await startOrderStack()
})
afterAll(async () => {
  await stack?.close()
})

describe('the cart moves while the shopper checks out (SPEC O1, O2)', () => {
  it('a book added on another device during checkout stays in the cart; the order has the old version', async () => {
    const dune = await stack.createBook({ stock: 10, priceCents: 1250 })
    const emma = await stack.createBook({ stock: 10, priceCents: 899 })
    const shopper = await stack.shopperWith([[dune.id, 3]])
    const answer = await stack.checkout(shopper, shopper.cartVersion)
    expect(answer.status).toBe(202)
    // Another device: one more Dune and an Emma, after the checkout took its version.
    await stack.addItem(shopper, dune.id, 1)
    const moved = await stack.addItem(shopper, emma.id, 2)
    expect(moved.version).toBe(shopper.cartVersion + 2)
    const orderId = answer.body.id as string
    const row = await stack.settled(orderId)
    expect(row.status).toBe('confirmed')
    expect(await stack.order(orderId)).toMatchObject({
      cartVersion: shopper.cartVersion,
      lines: [{ bookId: dune.id, quantity: 3 }],
      totalCents: 3 * 1250,
    })
    // Only the purchased quantity left: 4 Dune - 3 = 1, and the Emma added meanwhile.
    expect(await stack.cart(shopper.userId)).toMatchObject({
      version: shopper.cartVersion + 3,
      items: [
        { bookId: dune.id, quantity: 1 },
        { bookId: emma.id, quantity: 2 },
      ],
    })
    expect([await stack.stockOf(dune.id), await stack.stockOf(emma.id)]).toEqual([7, 10])
  })

  it('a checkout of a version that is no longer the cart is refused with the current lines, nothing reserved', async () => {
    const book = await stack.createBook({ stock: 10 })
    const shopper = await stack.shopperWith([[book.id, 1]])
    await stack.addItem(shopper, book.id, 1)
    const answer = await stack.checkout(shopper, shopper.cartVersion)
    expect(answer.status).toBe(409)
    expect(answer.body).toMatchObject({
      error: {
        code: 'CART_CHANGED',
        details: {
          cartVersion: shopper.cartVersion,
          currentVersion: shopper.cartVersion + 1,
          lines: [{ bookId: book.id, quantity: 2, unitPriceCents: 3999 }],
        },
      },
    })
    const list = await stack.call(`${stack.orderApiUrl()}/orders`, { headers: shopper.auth })
    expect(list.body).toMatchObject({ totalItems: 0 })
    expect(await stack.stockOf(book.id)).toBe(10)
  })

  it('an empty cart, an out-of-stock line and a deleted book are refused, naming the lines', async () => {
    const empty = await stack.shopper()
    const cleared = await stack.call(`${stack.instance('cart-api').url}/cart`, {
      method: 'DELETE',
      headers: empty.auth,
    })
    const refusedEmpty = await stack.checkout(empty, cleared.body.version as number)
    expect(refusedEmpty.body).toMatchObject({ error: { code: 'CART_EMPTY' } })

    const scarce = await stack.createBook({ stock: 2, title: 'Scarce' })
    const gone = await stack.createBook({ stock: 2, title: 'Gone' })
    const shopper = await stack.shopperWith([
      [scarce.id, 2],
      [gone.id, 1],
    ])
    await stack.changeBook('PUT', `/admin/books/${scarce.id}/stock`, { stock: 1 })
    await stack.call(`${stack.running('book-api')[0]?.url}/admin/books/${gone.id}`, {
      method: 'DELETE',
      headers: stack.admin,
    })
    await waitFor(
      async () => (await stack.redis.hget(`book:${gone.id}`, 'status')) === 'deleted',
      'the read model',
    )
    await waitFor(
      async () => (await stack.redis.hget(`book:${scarce.id}`, 'stock')) === '1',
      'the read model',
    )
    const refused = await stack.checkout(shopper, shopper.cartVersion)
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({
      error: {
        code: 'CHECKOUT_LINE_UNAVAILABLE',
        details: {
          lines: [
            { bookId: scarce.id, title: 'Scarce', quantity: 2, reason: 'stock-limited', available: 1 },
            { bookId: gone.id, title: 'Gone', quantity: 1, reason: 'deleted', available: 0 },
          ],
        },
      },
    })
    expect(await stack.stockOf(scarce.id)).toBe(1)
    const list = await stack.call(`${stack.orderApiUrl()}/orders`, { headers: shopper.auth })
    expect(list.body).toMatchObject({ totalItems: 0 })
  })

  it('a price changed by an admin before checkout: 409 with both prices, nothing reserved', async () => {
    const book = await stack.createBook({ stock: 10, priceCents: 3999, title: 'Repriced' })
    const shopper = await stack.shopperWith([[book.id, 1]])
    await stack.changeBook('PATCH', `/admin/books/${book.id}`, { priceCents: 2999 })
    await waitFor(
      async () => (await stack.redis.hget(`book:${book.id}`, 'priceCents')) === '2999',
      'the read model',
    )
    const answer = await stack.checkout(shopper, shopper.cartVersion)
    expect(answer.status).toBe(409)
    expect(answer.body).toMatchObject({
      error: {
        code: 'CHECKOUT_PRICE_CHANGED',
        details: {
          lines: [{ bookId: book.id, title: 'Repriced', quantity: 1, fromCents: 3999, toCents: 2999 }],
        },
      },
    })
    const list = await stack.call(`${stack.orderApiUrl()}/orders`, { headers: shopper.auth })
    expect(list.body).toMatchObject({ totalItems: 0 })
    expect(await stack.stockOf(book.id)).toBe(10)
  })
})
