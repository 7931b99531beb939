import { bookCartsKey, cartKeys, cartPersistenceJobNames } from '@bookstore/events'
import { loadCatalogScripts, propagateToCart } from '@bookstore/lua'
import {
  openTestDatabase,
  type PrivateRedis,
  startPrivateRedis,
  type TestDatabase,
} from '@bookstore/test-kit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { durableCart, startStack, type TestStack } from './harness'

let database: TestDatabase
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(() => database.drop())

const getCart = async (stack: TestStack, auth: Record<string, string>) => {
  const response = await stack.cartApi.inject({ url: '/cart', headers: auth })
  expect(response.statusCode).toBe(200)
  return response.json()
}

describe('a cart missing from Redis is restored from PostgreSQL on first touch (SPEC C5, C3)', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await startStack(database)
  })
  afterAll(() => stack.close())

  it('restores it with its version after the key is gone; the next change goes on from there', async () => {
    const { userId, auth } = await stack.shopper()
    const [a, b] = [await stack.seedBook(), await stack.seedBook()]
    await stack.addItem(auth, a.bookId, 2)
    await stack.addItem(auth, b.bookId, 1)
    await stack.expectConverged([userId])
    const before = await getCart(stack, auth)

    await stack.redis.del(cartKeys(userId).cart) // expired, or lost
    expect(await getCart(stack, auth)).toEqual(before)
    const next = await stack.addItem(auth, a.bookId, 1)
    expect(next.json()).toMatchObject({ version: 3, itemCount: 4 })
    await stack.expectConverged([userId])
  })

  it('restores once under concurrent first touches: no change is lost, no version repeats', async () => {
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook()
    await stack.addItem(auth, book.bookId, 5)
    await stack.expectConverged([userId])
    await stack.redis.del(cartKeys(userId).cart)

    const answers = await Promise.all(Array.from({ length: 10 }, () => stack.addItem(auth, book.bookId, 1)))
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(10).fill(200))
    const versions = answers.map((answer) => answer.json().version as number).sort((x, y) => x - y)
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect((await getCart(stack, auth)).items[0].quantity).toBe(15)
    await stack.expectConverged([userId])
  })

  it('starts a new shopper with an empty cart without writing anything to PostgreSQL', async () => {
    const { userId, auth } = await stack.shopper()
    expect(await getCart(stack, auth)).toMatchObject({ version: 0, items: [] })
    expect(await durableCart(database, userId)).toBeUndefined()
  })
})

// Each test waits for PostgreSQL to converge, also after FLUSHALL took the queue's keys (the worker
// finds them again only when its blocking wait times out, seconds later): as the other fault tests,
// a minute, so that a slow machine fails on the poll's message, not on the test's clock (it did, in CI).
describe('after Redis loses everything (SPEC C3, C5)', { timeout: 60_000 }, () => {
  // A private redis-server for each test, so that FLUSHALL touches nobody else's keys.
  let redis: PrivateRedis
  let stack: TestStack
  beforeEach(async () => {
    redis = await startPrivateRedis()
    stack = await startStack(database, { redisUrl: redis.url })
  })
  afterEach(async () => {
    await stack.close()
    await redis.stop()
  })

  it('never go back nor repeat: the cart comes back from PostgreSQL with its version', async () => {
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook()
    for (let i = 0; i < 3; i += 1) await stack.addItem(auth, book.bookId)
    await stack.expectConverged([userId])

    await stack.redis.flushall()
    await stack.seedBook(book)
    expect(await getCart(stack, auth)).toMatchObject({ version: 3, itemCount: 3 })
    expect((await stack.addItem(auth, book.bookId)).json()).toMatchObject({ version: 4, itemCount: 4 })
    await stack.expectConverged([userId])
  })
  it('keeps the catalog flags of a line and puts its book back into the book -> carts index', async () => {
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook({ priceCents: 1_000 })
    await stack.addItem(auth, book.bookId, 3)
    // What catalog-worker does when the price drops and only 2 copies are left (SPEC B3, B5).
    await loadCatalogScripts(stack.redis)
    const changed = await propagateToCart(
      stack.redis,
      userId,
      {
        bookId: book.bookId,
        op: 'book-updated',
        state: { status: 'active', title: book.title, priceCents: 800, stock: 2 },
        bookVersion: 7,
      },
      { now: Date.now(), cartTtlSeconds: 3600 },
    )
    expect(changed.outcome).toBe('committed')
    await stack.queue.add(cartPersistenceJobNames.sync, { userIds: [userId], reason: 'test' })
    await stack.expectConverged([userId])
    const before = await getCart(stack, auth)
    expect(before.items[0]).toMatchObject({
      unitPriceCents: 800,
      previousUnitPriceCents: 1_000,
      availableStock: 2,
      bookVersion: 7,
    })

    await stack.redis.flushall()
    await stack.seedBook({ ...book, priceCents: 800, stock: 2 }) // the read model, rebuilt
    expect(await getCart(stack, auth)).toEqual(before)
    expect(await stack.redis.zscore(bookCartsKey(book.bookId), userId)).not.toBeNull()
  })

  it('brings restored lines to the catalog as it is now (price, stock, deletion) and persists that', async () => {
    const { userId, auth } = await stack.shopper()
    const kept = await stack.seedBook({ priceCents: 500 })
    const repriced = await stack.seedBook({ priceCents: 1_000 })
    const deleted = await stack.seedBook({ priceCents: 700 })
    for (const book of [kept, repriced, deleted]) await stack.addItem(auth, book.bookId, 3)
    await stack.expectConverged([userId])

    // Redis loses everything; meanwhile the catalog changed (the rebuilt read model says so).
    await stack.redis.flushall()
    await stack.seedBook(kept)
    await stack.seedBook({ ...repriced, priceCents: 900, stock: 1 })
    await stack.seedBook({ ...deleted, status: 'deleted' })

    const cart = await getCart(stack, auth)
    expect(cart.items).toEqual([
      expect.objectContaining({ bookId: kept.bookId, unitPriceCents: 500, quantity: 3 }),
      expect.objectContaining({
        bookId: repriced.bookId,
        unitPriceCents: 900,
        previousUnitPriceCents: 1_000,
        availableStock: 1,
      }),
    ])
    expect(cart.items[0]).not.toHaveProperty('previousUnitPriceCents')
    expect(cart.version).toBe(5) // 3 adds, then one change per refreshed line
    // After FLUSHALL the worker finds the queue again only when its blocking wait times out.
    await stack.expectConverged([userId], 45_000)
  })

  it('leaves a line alone when its book is missing from the read model', async () => {
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook({ priceCents: 1_200 })
    await stack.addItem(auth, book.bookId, 2)
    await stack.expectConverged([userId])
    await stack.redis.flushall()
    expect(await getCart(stack, auth)).toMatchObject({
      version: 1,
      items: [{ bookId: book.bookId, unitPriceCents: 1_200, quantity: 2 }],
    })
  })
})
