import { Cart, cartKeys } from '@bookstore/events'
import { uniqueId } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { Check } from 'typebox/value'
import { afterAll, describe, expect, it } from 'vitest'
import { type CartMutationContext, cartScripts, readScriptSource, runCartMutation } from '../src'

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
afterAll(() => redis.quit())

const context = (userId: string, idempotency?: CartMutationContext['idempotency']): CartMutationContext => ({
  userId,
  now: 1_700_000_000_000,
  cartTtlSeconds: 3600,
  idempotencyTtlSeconds: 60,
  idempotency,
})
const addArgs = (bookId: string, quantity: number, stock = 10) => [
  bookId,
  quantity,
  'active',
  'Dune',
  1250,
  stock,
  5,
  3,
]

describe('the cart scripts, called directly', () => {
  it('inline their includes and declare four keys', () => {
    for (const script of Object.values(cartScripts)) {
      expect(script.source).not.toMatch(/^-- @include/m)
      expect(script.source).toContain('local function commit(')
      expect(script.numberOfKeys).toBe(4)
    }
    expect(readScriptSource('cart-clear.lua')).toContain("commit('clear', {})")
  })

  it('encode an empty cart with an empty items array and keep one Cart schema', async () => {
    const userId = uniqueId('lua-user')
    const result = await runCartMutation(redis, 'clear', context(userId), [])
    expect(result.outcome).toBe('committed')
    if (result.outcome !== 'committed') return
    const cart: unknown = JSON.parse(result.cartJson)
    expect(Check(Cart, cart)).toBe(true)
    expect(cart).toEqual({
      userId,
      version: 1,
      items: [],
      totalCents: 0,
      itemCount: 0,
      updatedAt: 1_700_000_000_000,
    })
  })

  it('map every refusal to a named reason and change nothing', async () => {
    const userId = uniqueId('lua-user')
    const keys = cartKeys(userId)
    expect(await runCartMutation(redis, 'add-item', context(userId), addArgs('b1', 11))).toEqual({
      outcome: 'rejected',
      reason: 'OUT_OF_STOCK',
      detail: '10',
    })
    expect(await runCartMutation(redis, 'add-item', context(userId), addArgs('b1', 6, 100))).toMatchObject({
      reason: 'QUANTITY_LIMIT',
      detail: '5',
    })
    expect(
      await runCartMutation(redis, 'add-item', context(userId), ['b1', 1, 'missing', '', 0, 0, 5, 3]),
    ).toMatchObject({ reason: 'BOOK_NOT_FOUND' })
    expect(await runCartMutation(redis, 'remove-item', context(userId), ['b1'])).toMatchObject({
      reason: 'ITEM_NOT_IN_CART',
    })
    expect(await redis.exists(keys.cart, keys.version)).toBe(0)
    for (const bookId of ['b1', 'b2', 'b3']) {
      await runCartMutation(redis, 'add-item', context(userId), addArgs(bookId, 1))
    }
    expect(await runCartMutation(redis, 'add-item', context(userId), addArgs('b4', 1))).toMatchObject({
      reason: 'ITEMS_LIMIT',
      detail: '3',
    })
    expect(await redis.get(keys.version)).toBe('3')
  })

  it('set a TTL on the cart but never on the version counter', async () => {
    const userId = uniqueId('lua-user')
    const keys = cartKeys(userId)
    await runCartMutation(redis, 'add-item', context(userId), addArgs('b1', 1))
    expect(await redis.ttl(keys.cart)).toBeGreaterThan(3000)
    expect(await redis.ttl(keys.version)).toBe(-1)
  })
})
