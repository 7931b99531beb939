import { readDurableCarts } from '@bookstore/cart-store'
import { cartKeys } from '@bookstore/events'
import { createRealtimeClient, type WebSocketConstructor } from '@bookstore/realtime-client'
import { startStack, type TestStack } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'

let stack: TestStack
beforeAll(async () => {
  stack = await startStack({
    database: true,
    apps: ['cart-api', 'persistence-worker', 'realtime-gateway'],
  })
})
afterAll(() => stack.close())

// Issue 18, SPEC C5: a socket's hello for a cart Redis lost is answered with the cart PostgreSQL
// holds (restored into Redis with cart-api's rules), not with an empty cart.
describe('snapshot of a cart missing from Redis', () => {
  it('restores the durable cart and sends it, at a version past the one PostgreSQL holds', async () => {
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook()
    const cartApi = stack.instance('cart-api').app
    for (const quantity of [2, 3]) {
      const response = await cartApi.inject({
        method: 'POST',
        url: '/cart/items',
        headers: auth,
        payload: { bookId: book.bookId, quantity },
      })
      expect(response.statusCode).toBe(200)
    }
    const db = stack.database?.db
    if (!db) throw new Error('the stack has no database')
    await expect
      .poll(async () => (await readDurableCarts(db, [userId])).get(userId)?.version, { timeout: 15_000 })
      .toBe(2)
    // Redis loses the cart and its counter (a restart without persistence).
    await stack.redis.del(cartKeys(userId).cart, cartKeys(userId).version)

    const gateway = stack.instance('realtime-gateway')
    const client = createRealtimeClient({
      url: `${gateway.url.replace('http:', 'ws:')}/ws`,
      token: auth.authorization.replace('Bearer ', ''),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    })
    try {
      await client.ready()
      expect(client.cart?.items).toEqual([expect.objectContaining({ bookId: book.bookId, quantity: 5 })])
      expect(client.cart?.version).toBeGreaterThanOrEqual(2)
      // The cart is back in Redis, where the next change goes on from it.
      expect(JSON.parse((await stack.redis.get(cartKeys(userId).cart)) ?? '{}').items).toHaveLength(1)
    } finally {
      client.close()
    }
  })
})
