import { randomUUID } from 'node:crypto'
import { bookCartsKey, cartKeys } from '@bookstore/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCartApi, type TestCartApi } from './harness'

/** What one shopper can make Redis hold, and how fast (issue 18, docs/limits.md). */
let api: TestCartApi
beforeAll(async () => {
  api = await startCartApi({ CART_MUTATIONS_PER_WINDOW: '20', CART_RATE_WINDOW_MS: '60000' })
})
afterAll(() => api.close())

describe('bounded memory per shopper', () => {
  it('adds of books that do not exist leave no key behind', async () => {
    const { userId, auth } = await api.shopper()
    const made = Array.from({ length: 15 }, () => randomUUID())
    for (const bookId of made) {
      const response = await api.addItem(auth, bookId)
      expect(response.statusCode).toBe(404)
      expect(response.json().error.code).toBe('BOOK_NOT_FOUND')
    }
    const leftBehind = await Promise.all(made.map((bookId) => api.redis.exists(bookCartsKey(bookId))))
    expect(leftBehind.filter(Boolean)).toHaveLength(0)
    // A real book is indexed as before (catalog propagation finds the cart through it).
    const book = await api.seedBook()
    expect((await api.addItem(auth, book.bookId)).statusCode).toBe(200)
    expect(await api.redis.zscore(bookCartsKey(book.bookId), userId)).not.toBeNull()
  })

  it('keeps a bounded number of Idempotency-Key answers in two keys, not a key per request', async () => {
    const { userId, auth } = await api.shopper()
    const book = await api.seedBook({ stock: 1000 })
    for (let step = 0; step < 15; step += 1) {
      const response = await api.app.inject({
        method: 'POST',
        url: '/cart/items',
        headers: { ...auth, 'idempotency-key': `key-${step}` },
        payload: { bookId: book.bookId },
      })
      expect(response.statusCode).toBe(200)
    }
    const keys = await api.redis.keys(`cart:{${userId}}*`)
    expect(keys.sort()).toEqual(
      [
        cartKeys(userId).cart,
        cartKeys(userId).version,
        cartKeys(userId).answers,
        cartKeys(userId).answerOrder,
        cartKeys(userId).mutations,
      ].sort(),
    )
    expect(await api.redis.hlen(cartKeys(userId).answers)).toBe(15)
    expect(await api.redis.ttl(cartKeys(userId).answers)).toBeGreaterThan(0)
  })

  it('limits one shopper to CART_MUTATIONS_PER_WINDOW changes across every instance, with Retry-After', async () => {
    const { userId, auth } = await api.shopper()
    const book = await api.seedBook({ stock: 1000 })
    // A second cart-api of the same stack: the limit lives in Redis, not in one process.
    const other = await api.start('cart-api', {
      env: { CART_MUTATIONS_PER_WINDOW: '20', CART_RATE_WINDOW_MS: '60000' },
    })
    const statuses: number[] = []
    for (let step = 0; step < 24; step += 1) {
      const target = step % 2 === 0 ? api.app : other.app
      const response = await target.inject({
        method: 'POST',
        url: '/cart/items',
        headers: auth,
        payload: { bookId: book.bookId },
      })
      statuses.push(response.statusCode)
      if (response.statusCode === 429) {
        expect(response.json().error.code).toBe('CART_RATE_LIMITED')
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0)
      }
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(20)
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429])
    // Refused changes changed nothing; another shopper is not affected.
    expect(await api.storedVersion(userId)).toBe(20)
    const { auth: neighbour } = await api.shopper()
    expect((await api.addItem(neighbour, book.bookId)).statusCode).toBe(200)
  })
})
