import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inParallel, listenToCart, startStack, type TestStack, waitFor } from './harness'

let stack: TestStack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.close()
})

describe('a price and title change reaches every cart holding the book (SPEC B3)', () => {
  it('updates hundreds of carts, also those adding the book meanwhile, and leaves the others alone', {
    timeout: 90_000,
  }, async () => {
    const book = await stack.createBook()
    const other = await stack.createBook({ title: 'Another Book', priceCents: 1500 })
    const holders = await Promise.all(Array.from({ length: 300 }, () => stack.shopper()))
    const bystanders = await Promise.all(Array.from({ length: 20 }, () => stack.shopper()))
    const latecomers = await Promise.all(Array.from({ length: 60 }, () => stack.shopper()))
    await inParallel(holders, 25, async (shopper) =>
      expect((await stack.addItem(shopper, book.id, 2)).statusCode).toBe(200),
    )
    await inParallel(bystanders, 20, async (shopper) =>
      expect((await stack.addItem(shopper, other.id)).statusCode).toBe(200),
    )
    const bystanderVersions = await Promise.all(
      bystanders.map(async (shopper) => (await stack.cart(shopper.userId))?.version),
    )
    const listener = await listenToCart(holders[0]?.userId ?? '')

    // The change, and shoppers adding the book while it propagates (some with cart-api's cached old price).
    const change = stack.changeBook('PATCH', `/admin/books/${book.id}`, {
      priceCents: 2999,
      title: 'Release It! (2nd ed.)',
    })
    const adds = inParallel(latecomers, 6, async (shopper) => {
      expect((await stack.addItem(shopper, book.id)).statusCode).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    await Promise.all([change, adds])

    await waitFor(async () => {
      const carts = await Promise.all(
        [...holders, ...latecomers].map((shopper) => stack.cart(shopper.userId)),
      )
      return carts.every(
        (cart) => cart?.items[0]?.unitPriceCents === 2999 && cart.items[0].title === 'Release It! (2nd ed.)',
      )
    }, 'every cart at the new price and title')

    for (const shopper of holders) {
      const cart = await stack.cart(shopper.userId)
      expect(cart?.version).toBe(2)
      expect(cart?.items[0]).toMatchObject({
        previousUnitPriceCents: 3999,
        unitPriceCents: 2999,
        lineTotalCents: 5998,
      })
      expect(cart?.totalCents).toBe(5998)
    }
    for (const [index, shopper] of bystanders.entries())
      expect((await stack.cart(shopper.userId))?.version).toBe(bystanderVersions[index])

    const event = await waitFor(
      async () => listener.messages.find((message) => message.op === 'book-updated'),
      'the event',
    )
    expect(event.cart.version).toBe(2)
    expect(event.notices).toEqual(
      expect.arrayContaining([
        {
          kind: 'price-changed',
          bookId: book.id,
          title: 'Release It! (2nd ed.)',
          fromCents: 3999,
          toCents: 2999,
        },
        {
          kind: 'title-changed',
          bookId: book.id,
          fromTitle: 'Release It!',
          toTitle: 'Release It! (2nd ed.)',
        },
      ]),
    )
    await listener.close()

    // Every changed cart got a persistence commit with its new version (SPEC P1).
    const persisted = await waitFor(async () => {
      const versions = await stack.persistedVersions()
      return holders.every((shopper) => versions.get(shopper.userId) === 2) && versions
    }, 'persistence commits')
    for (const shopper of latecomers) {
      const cart = await stack.cart(shopper.userId)
      expect(persisted.get(shopper.userId)).toBe(cart?.version)
    }
  })
})
