import { Cart, cartKeys } from '@bookstore/events'
import { testRedisClient, testSubscriber, uniqueId } from '@bookstore/test-kit'
import { Check } from 'typebox/value'
import { afterAll, describe, expect, it } from 'vitest'
import { type AddItemInput, hydrateCart, removePurchased, runCartMutation } from '../src'

const redis = testRedisClient()
afterAll(() => redis.quit())

const book = { status: 'active' as const, title: 'Dune', priceCents: 1250, stock: 100 }
const add = (bookId: string, quantity: number): AddItemInput => ({
  bookId,
  quantity,
  book,
  maxQuantityPerItem: 50,
  maxDistinctItems: 10,
})
const context = (userId: string) => ({
  userId,
  now: 1_700_000_000_000,
  cartTtlSeconds: 3600,
  idempotencyTtlSeconds: 60,
})

async function cartWith(lines: [string, number][]) {
  const userId = uniqueId('lua-user')
  await hydrateCart(redis, userId, undefined, 3600)
  for (const [bookId, quantity] of lines)
    await runCartMutation(redis, 'add-item', context(userId), add(bookId, quantity))
  return userId
}

const input = (userId: string, orderId: string, lines: { bookId: string; quantity: number }[]) => ({
  userId,
  orderId,
  lines,
  now: 1_700_000_100_000,
  cartTtlSeconds: 3600,
  idempotencyTtlSeconds: 60,
})

describe('cart-remove-purchased.lua (SPEC O2)', () => {
  it('takes out only the purchased quantities, once per order, as a committed and published change', async () => {
    const userId = await cartWith([
      ['b1', 3],
      ['b2', 1],
      ['b3', 2],
    ])
    const subscriber = testSubscriber()
    const events: string[] = []
    subscriber.on('smessage', (_channel: string, message: string) => events.push(message))
    await subscriber.ssubscribe(cartKeys(userId).events)
    try {
      const result = await removePurchased(
        redis,
        input(userId, 'order-1', [
          { bookId: 'b1', quantity: 2 },
          { bookId: 'b2', quantity: 1 },
        ]),
      )
      expect(result).toMatchObject({ outcome: 'committed', version: 4 })
      if (result.outcome !== 'committed') return
      const cart: unknown = JSON.parse(result.cartJson)
      expect(Check(Cart, cart)).toBe(true)
      expect(cart).toMatchObject({
        version: 4,
        items: [
          { bookId: 'b1', quantity: 1 },
          { bookId: 'b3', quantity: 2 },
        ],
        itemCount: 3,
        totalCents: 3 * 1250,
      })
      // The same order again: nothing changes, no second event.
      expect(await removePurchased(redis, input(userId, 'order-1', [{ bookId: 'b1', quantity: 2 }]))).toEqual(
        {
          outcome: 'replayed',
        },
      )
      expect(JSON.parse((await redis.get(cartKeys(userId).cart)) ?? '{}')).toMatchObject({ version: 4 })
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(events.map((event) => JSON.parse(event) as { op: string })).toEqual([
        expect.objectContaining({ op: 'order-placed', cart: expect.objectContaining({ version: 4 }) }),
      ])
    } finally {
      subscriber.disconnect()
    }
  })

  it('leaves a cart without the purchased books as it is, and asks for a missing cart to be restored', async () => {
    const userId = await cartWith([['b9', 1]])
    expect(await removePurchased(redis, input(userId, 'order-2', [{ bookId: 'b1', quantity: 1 }]))).toEqual({
      outcome: 'nothing-to-remove',
      version: 1,
    })
    expect(
      await removePurchased(redis, input(uniqueId('nobody'), 'order-3', [{ bookId: 'b1', quantity: 1 }])),
    ).toEqual({
      outcome: 'needs-hydration',
    })
  })
})
