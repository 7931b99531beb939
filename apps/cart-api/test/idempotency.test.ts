import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCart, startCartApi, type TestCartApi } from './harness'

let api: TestCartApi
beforeAll(async () => {
  api = await startCartApi()
})
afterAll(() => api.close())

describe('Idempotency-Key (SPEC C4)', () => {
  it('applies a retried add once and answers the retry with the same cart', async () => {
    const { userId, auth } = await api.shopper()
    const book = await api.seedBook({ priceCents: 999 })
    const key = randomUUID()
    const send = () =>
      api.app.inject({
        method: 'POST',
        url: '/cart/items',
        headers: { ...auth, 'idempotency-key': key },
        payload: { bookId: book.bookId, quantity: 2 },
      })
    const first = await send()
    const retries = await Promise.all([send(), send(), send()])
    expect(first.statusCode).toBe(200)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    for (const retry of retries) {
      expect(retry.statusCode).toBe(200)
      expect(retry.headers['idempotent-replayed']).toBe('true')
      expect(retry.body).toBe(first.body)
    }
    expect(asCart(first.body)).toMatchObject({ version: 1, itemCount: 2, totalCents: 1998 })
    expect(await api.storedVersion(userId)).toBe(1)
    expect(await api.queuedCommits(userId)).toHaveLength(1)
  })

  it('answers a retry with the cart as it was then, even after later changes', async () => {
    const { auth } = await api.shopper()
    const book = await api.seedBook()
    const headers = { ...auth, 'idempotency-key': randomUUID() }
    const first = await api.app.inject({ method: 'DELETE', url: '/cart', headers })
    await api.app.inject({
      method: 'POST',
      url: '/cart/items',
      headers: auth,
      payload: { bookId: book.bookId },
    })
    const retry = await api.app.inject({ method: 'DELETE', url: '/cart', headers })
    expect(retry.body).toBe(first.body)
    const now = asCart((await api.app.inject({ method: 'GET', url: '/cart', headers: auth })).body)
    expect(now).toMatchObject({ version: 2, itemCount: 1 })
  })

  it('refuses the same key for a different request and changes nothing', async () => {
    const { userId, auth } = await api.shopper()
    const book = await api.seedBook()
    const headers = { ...auth, 'idempotency-key': randomUUID() }
    await api.app.inject({ method: 'POST', url: '/cart/items', headers, payload: { bookId: book.bookId } })
    const reused = await api.app.inject({
      method: 'POST',
      url: '/cart/items',
      headers,
      payload: { bookId: book.bookId, quantity: 3 },
    })
    expect(reused.statusCode).toBe(422)
    expect(reused.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect(await api.storedVersion(userId)).toBe(1)
  })

  it('keeps keys apart per shopper', async () => {
    const alice = await api.shopper()
    const bob = await api.shopper()
    const book = await api.seedBook()
    const key = randomUUID()
    for (const shopper of [alice, bob]) {
      const response = await api.app.inject({
        method: 'POST',
        url: '/cart/items',
        headers: { ...shopper.auth, 'idempotency-key': key },
        payload: { bookId: book.bookId },
      })
      expect(response.headers['idempotent-replayed']).toBeUndefined()
      expect(asCart(response.body)).toMatchObject({ userId: shopper.userId, version: 1 })
    }
  })

  it('does not remember a refused request, so a retry can succeed once stock is back', async () => {
    const fresh = await startCartApi({ BOOK_CACHE_TTL_MS: '0' })
    try {
      const { auth } = await fresh.shopper()
      const book = await fresh.seedBook({ stock: 0 })
      const send = () =>
        fresh.app.inject({
          method: 'POST',
          url: '/cart/items',
          headers: { ...auth, 'idempotency-key': 'restock-1' },
          payload: { bookId: book.bookId },
        })
      expect((await send()).statusCode).toBe(409)
      await fresh.seedBook({ ...book, stock: 4 })
      expect((await send()).statusCode).toBe(200)
    } finally {
      await fresh.close()
    }
  })
})
