import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCartApi, type TestCartApi } from './harness'

let api: TestCartApi
let userId: string
let auth: Record<string, string>
let inCart: string
let lowStock: string
let deleted: string

beforeAll(async () => {
  api = await startCartApi({ CART_MAX_QUANTITY_PER_ITEM: '10', CART_MAX_DISTINCT_ITEMS: '2' })
  ;({ userId, auth } = await api.shopper())
  inCart = (await api.seedBook({ stock: 100 })).bookId
  lowStock = (await api.seedBook({ stock: 3 })).bookId
  deleted = (await api.seedBook({ status: 'deleted' })).bookId
  const response = await api.app.inject({
    method: 'POST',
    url: '/cart/items',
    headers: auth,
    payload: { bookId: inCart, quantity: 2 },
  })
  expect(response.statusCode).toBe(200)
})
afterAll(() => api.close())

const json = { 'content-type': 'application/json' }
type Case = [name: string, request: () => InjectOptions, status: number, code: string]

/** Every bad input gets a 4xx with a stable code and leaves the cart as it was (SPEC E1, C2). */
const cases: Case[] = [
  [
    'no body',
    () => ({ method: 'POST', url: '/cart/items', headers: { ...auth, ...json } }),
    400,
    'INVALID_JSON',
  ],
  [
    'broken JSON',
    () => ({ method: 'POST', url: '/cart/items', headers: { ...auth, ...json }, payload: '{"bookId": ' }),
    400,
    'INVALID_JSON',
  ],
  [
    'text body',
    () => ({
      method: 'POST',
      url: '/cart/items',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'x',
    }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'oversized body',
    () => ({
      method: 'POST',
      url: '/cart/items',
      headers: { ...auth, ...json },
      payload: JSON.stringify({ bookId: inCart, padding: 'x'.repeat(100_000) }),
    }),
    413,
    'PAYLOAD_TOO_LARGE',
  ],
  ['missing bookId', () => add({ quantity: 1 }), 400, 'VALIDATION_FAILED'],
  ['bookId with a hash tag', () => add({ bookId: 'a{b}c' }), 400, 'VALIDATION_FAILED'],
  ['bookId too long', () => add({ bookId: 'b'.repeat(65) }), 400, 'VALIDATION_FAILED'],
  ['bookId an object', () => add({ bookId: { id: 'x' } }), 400, 'VALIDATION_FAILED'],
  ['quantity zero', () => add({ bookId: inCart, quantity: 0 }), 400, 'VALIDATION_FAILED'],
  ['quantity negative', () => add({ bookId: inCart, quantity: -3 }), 400, 'VALIDATION_FAILED'],
  ['quantity fractional', () => add({ bookId: inCart, quantity: 1.5 }), 400, 'VALIDATION_FAILED'],
  ['quantity text', () => add({ bookId: inCart, quantity: 'two' }), 400, 'VALIDATION_FAILED'],
  ['unknown field', () => add({ bookId: inCart, priceCents: 1 }), 400, 'VALIDATION_FAILED'],
  ['unknown book', () => add({ bookId: 'no-such-book' }), 404, 'BOOK_NOT_FOUND'],
  ['deleted book', () => add({ bookId: deleted }), 404, 'BOOK_NOT_FOUND'],
  ['more than stock', () => add({ bookId: lowStock, quantity: 4 }), 409, 'CART_OUT_OF_STOCK'],
  ['more than the per-book limit', () => add({ bookId: inCart, quantity: 9 }), 409, 'CART_QUANTITY_LIMIT'],
  [
    'bad Idempotency-Key',
    () => ({ ...add({ bookId: inCart }), headers: { ...auth, 'idempotency-key': 'has space' } }),
    400,
    'VALIDATION_FAILED',
  ],
  ['set quantity zero', () => setQuantity(inCart, { quantity: 0 }), 400, 'VALIDATION_FAILED'],
  ['set quantity missing', () => setQuantity(inCart, {}), 400, 'VALIDATION_FAILED'],
  ['set quantity above stock', () => setQuantity(inCart, { quantity: 101 }), 409, 'CART_OUT_OF_STOCK'],
  ['set quantity above limit', () => setQuantity(inCart, { quantity: 11 }), 409, 'CART_QUANTITY_LIMIT'],
  [
    'set quantity of a book not in the cart',
    () => setQuantity(lowStock, { quantity: 1 }),
    404,
    'CART_ITEM_NOT_FOUND',
  ],
  ['set quantity with a bad book id', () => setQuantity('x:y', { quantity: 1 }), 400, 'VALIDATION_FAILED'],
  [
    'remove a book not in the cart',
    () => ({ method: 'DELETE', url: `/cart/items/${lowStock}`, headers: auth }),
    404,
    'CART_ITEM_NOT_FOUND',
  ],
  ['unknown route', () => ({ method: 'GET', url: '/carts', headers: auth }), 404, 'ROUTE_NOT_FOUND'],
  // A JSON body says its own types: nothing is coerced (issue 18; each was a 200 before).
  ...(
    [
      ['quantity "2"', '2'],
      ['quantity "0x10"', '0x10'],
      ['quantity true', true],
      ['quantity [2]', [2]],
    ] as const
  ).map(
    ([name, quantity]): Case => [name, () => add({ bookId: inCart, quantity }), 400, 'VALIDATION_FAILED'],
  ),
  ['bookId ["x"]', () => add({ bookId: [inCart] }), 400, 'VALIDATION_FAILED'],
  ['set quantity "3"', () => setQuantity(inCart, { quantity: '3' }), 400, 'VALIDATION_FAILED'],
  ['a NUL in a book id', () => add({ bookId: `${inCart}\u0000` }), 400, 'INVALID_TEXT'],
  [
    'invalid UTF-8 in the body',
    () => ({
      method: 'POST',
      url: '/cart/items',
      headers: { ...auth, ...json },
      payload: Buffer.concat([Buffer.from('{"bookId":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    }),
    400,
    'INVALID_TEXT',
  ],
]

function add(payload: Record<string, unknown>): InjectOptions {
  return { method: 'POST', url: '/cart/items', headers: auth, payload }
}
function setQuantity(bookId: string, payload: Record<string, unknown>): InjectOptions {
  return { method: 'PUT', url: `/cart/items/${bookId}`, headers: auth, payload }
}

describe('bad input', () => {
  it.each(cases)('%s', async (_name, request, status, code) => {
    const before = await api.app.inject({ method: 'GET', url: '/cart', headers: auth })
    const response = await api.app.inject(request())
    expect(response.statusCode).toBe(status)
    const body = response.json()
    expect(body.error.code).toBe(code)
    expect(body.error.message).toEqual(expect.any(String))
    expect(body.requestId).toEqual(expect.any(String))
    const after = await api.app.inject({ method: 'GET', url: '/cart', headers: auth })
    expect(after.body).toBe(before.body)
    expect(await api.storedVersion(userId)).toBe(1)
  })

  it('says how many copies are available when stock runs short', async () => {
    const response = await api.app.inject(add({ bookId: lowStock, quantity: 5 }))
    expect(response.json().error.details).toEqual({ bookId: lowStock, available: 3 })
  })

  it('refuses a third distinct book when the cart holds two', async () => {
    const { auth: other } = await api.shopper()
    const books = [await api.seedBook(), await api.seedBook(), await api.seedBook()]
    const addBook = (bookId: string) =>
      api.app.inject({ method: 'POST', url: '/cart/items', headers: other, payload: { bookId } })
    for (const book of books.slice(0, 2)) expect((await addBook(book.bookId)).statusCode).toBe(200)
    const full = await addBook(books[2]?.bookId ?? '')
    expect(full.statusCode).toBe(409)
    expect(full.json().error).toMatchObject({ code: 'CART_ITEMS_LIMIT', details: { max: 2 } })
  })

  it('lets a shopper lower, but not raise, the quantity of a book gone from the catalog', async () => {
    const fresh = await startCartApi({ BOOK_CACHE_TTL_MS: '0' })
    try {
      const { auth: other } = await fresh.shopper()
      const book = await fresh.seedBook({ stock: 5 })
      const setTo = (quantity: number) =>
        fresh.app.inject({
          method: 'PUT',
          url: `/cart/items/${book.bookId}`,
          headers: other,
          payload: { quantity },
        })
      await fresh.app.inject({
        method: 'POST',
        url: '/cart/items',
        headers: other,
        payload: { bookId: book.bookId, quantity: 4 },
      })
      await fresh.seedBook({ ...book, status: 'deleted', stock: 0 })
      expect((await setTo(2)).statusCode).toBe(200)
      const raised = await setTo(3)
      expect(raised.statusCode).toBe(404)
      expect(raised.json().error.code).toBe('BOOK_NOT_FOUND')
    } finally {
      await fresh.close()
    }
  })
})
