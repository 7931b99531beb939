import { bookCartsKey, Cart, CartChangedEvent, cartKeys, emptyCart } from '@bookstore/events'
import { testRedisClient, testSubscriber, uniqueId } from '@bookstore/test-kit'
import { Check } from 'typebox/value'
import { afterAll, describe, expect, it } from 'vitest'
import { catalogScripts, type PropagationInput, propagateToCart, runCartMutation } from '../src'

const redis = testRedisClient()
afterAll(() => redis.quit())

const addedAt = 1_700_000_000_000
const context = { now: addedAt + 60_000, cartTtlSeconds: 3600 }

async function cartWith(bookId: string, quantity = 2) {
  const userId = uniqueId('lua-user')
  // An existing (empty) cart, so the add needs no hydration from PostgreSQL.
  await redis.set(cartKeys(userId).cart, JSON.stringify(emptyCart(userId)), 'EX', 600)
  await runCartMutation(
    redis,
    'add-item',
    { userId, now: addedAt, cartTtlSeconds: 600, idempotencyTtlSeconds: 60 },
    {
      bookId,
      quantity,
      book: { status: 'active', title: 'Dune', priceCents: 1250, stock: 10 },
      maxQuantityPerItem: 99,
      maxDistinctItems: 100,
    },
  )
  return userId
}
const readCart = async (userId: string) =>
  JSON.parse((await redis.get(cartKeys(userId).cart)) ?? 'null') as Cart
const input = (
  bookId: string,
  state: Partial<PropagationInput['state']>,
  bookVersion = 2,
): PropagationInput => ({
  bookId,
  op: 'book-updated',
  state: { title: 'Dune', priceCents: 1250, stock: 10, status: 'active', ...state },
  bookVersion,
})

describe('catalog-propagate.lua (SPEC B3-B5)', () => {
  it('sets the new price once, keeps the old one for display and publishes a notice; a second run changes nothing', async () => {
    const bookId = uniqueId('book')
    const userId = await cartWith(bookId)
    const subscriber = testSubscriber()
    const messages: unknown[] = []
    subscriber.on('smessage', (_channel: string, message: string) => messages.push(JSON.parse(message)))
    await subscriber.ssubscribe(cartKeys(userId).events)

    const first = await propagateToCart(redis, userId, input(bookId, { priceCents: 999 }), context)
    expect(first).toMatchObject({ outcome: 'committed', version: 2 })
    const cart = await readCart(userId)
    expect(Check(Cart, cart)).toBe(true)
    expect(cart.items[0]).toMatchObject({
      unitPriceCents: 999,
      previousUnitPriceCents: 1250,
      lineTotalCents: 1998,
      bookVersion: 2,
    })
    // A catalog change is not the shopper's: the cart's updatedAt and expiry stay.
    expect(cart.updatedAt).toBe(addedAt)
    expect(await redis.ttl(cartKeys(userId).cart)).toBeLessThanOrEqual(600)

    expect(await propagateToCart(redis, userId, input(bookId, { priceCents: 999 }), context)).toEqual({
      outcome: 'unchanged',
      version: 2,
    })
    const deadline = Date.now() + 5000
    while (messages.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20))
    await subscriber.quit()
    expect(messages).toHaveLength(1)
    expect(Check(CartChangedEvent, messages[0])).toBe(true)
    expect(messages[0]).toMatchObject({
      op: 'book-updated',
      notices: [{ kind: 'price-changed', bookId, title: 'Dune', fromCents: 1250, toCents: 999 }],
    })
  })

  it('ignores an older book version, and drops the old price when the price returns to it', async () => {
    const bookId = uniqueId('book')
    const userId = await cartWith(bookId)
    await propagateToCart(redis, userId, input(bookId, { priceCents: 999 }, 5), context)
    expect(
      await propagateToCart(redis, userId, input(bookId, { priceCents: 500 }, 4), context),
    ).toMatchObject({
      outcome: 'unchanged',
    })
    await propagateToCart(redis, userId, input(bookId, { priceCents: 1250 }, 6), context)
    const item = (await readCart(userId)).items[0]
    expect(item?.unitPriceCents).toBe(1250)
    expect(item?.previousUnitPriceCents).toBeUndefined()
  })

  it('removes a deleted book, and reports carts without the book as absent', async () => {
    const bookId = uniqueId('book')
    const userId = await cartWith(bookId)
    const deleted = await propagateToCart(
      redis,
      userId,
      { ...input(bookId, { status: 'deleted' }), op: 'book-deleted' },
      context,
    )
    expect(deleted.outcome).toBe('committed')
    expect((await readCart(userId)).items).toEqual([])
    expect(await propagateToCart(redis, userId, input(bookId, {}), context)).toEqual({ outcome: 'absent' })
    expect(await propagateToCart(redis, uniqueId('lua-user'), input(bookId, {}), context)).toEqual({
      outcome: 'absent',
    })
  })
})

describe('book-carts-prune.lua', () => {
  it('removes only members whose last add is at or below the bound', async () => {
    const key = bookCartsKey(uniqueId('book'))
    await redis.zadd(key, '100', 'old', '900', 'young')
    const removed = await catalogScripts.pruneBookCarts.run(redis, [key], [500, 'old', 'young', 'unknown'])
    expect(removed).toBe(1)
    expect(await redis.zrange(key, '0', '-1')).toEqual(['young'])
    await redis.unlink(key)
  })
})
