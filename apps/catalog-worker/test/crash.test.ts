import { catalogOutbox } from '@bookstore/db'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type TestStack, waitFor } from './harness'

let stack: TestStack
beforeAll(async () => {
  stack = await startStack({ resweepDelayMs: 1500 })
})
afterAll(async () => {
  await stack?.close()
})

describe('a crash between the catalog write and its event loses nothing (SPEC B3)', () => {
  it('delivers a price change committed by a book-api killed before it relayed it', {
    timeout: 60_000,
  }, async () => {
    const book = await stack.createBook()
    const shopper = await stack.shopper()
    expect((await stack.addItem(shopper, book.id)).statusCode).toBe(200)
    await stack.stopBookApi()

    // Its outbox relay off: it commits, never relays.
    const doomed = await stack.spawn('book-api', {
      env: { OUTBOX_RELAY: 'false', READ_MODEL_REBUILD_ON_START: 'false' },
    })
    const answer = await fetch(`${doomed.url}/admin/books/${book.id}`, {
      method: 'PATCH',
      headers: { authorization: stack.adminToken, 'content-type': 'application/json' },
      body: JSON.stringify({ priceCents: 1599 }),
    })
    expect(answer.status).toBe(200)
    await doomed.kill()

    // Committed in PostgreSQL, not yet an event: the cart still has the old price.
    const pending = await stack.db.select().from(catalogOutbox).where(eq(catalogOutbox.bookId, book.id))
    expect(pending.filter((row) => row.publishedAt === null).map((row) => row.type)).toEqual(['book.updated'])
    expect((await stack.cart(shopper.userId))?.items[0]?.unitPriceCents).toBe(3999)

    // Any book-api instance that starts relays what the dead one left behind.
    await stack.startBookApi()
    const cart = await waitFor(async () => {
      const current = await stack.cart(shopper.userId)
      return current?.items[0]?.unitPriceCents === 1599 && current
    }, 'the new price in the cart')
    expect(cart.items[0]?.previousUnitPriceCents).toBe(3999)
    expect(cart.version).toBe(2)
  })
})
