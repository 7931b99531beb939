import { Cart, cartKeys } from '@bookstore/events'
import { keysOnEveryMaster, testRedisClient, uniqueId } from '@bookstore/test-kit'
import { Check } from 'typebox/value'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type AddItemInput,
  advanceCartVersion,
  type CartMutationContext,
  cartScripts,
  hydrateCart,
  readScriptSource,
  runCartMutation,
} from '../src'

const redis = testRedisClient()
afterAll(() => redis.quit())

const context = (userId: string, idempotency?: CartMutationContext['idempotency']): CartMutationContext => ({
  userId,
  now: 1_700_000_000_000,
  cartTtlSeconds: 3600,
  idempotencyTtlSeconds: 60,
  idempotency,
})
/** A shopper with no cart anywhere: the empty cart a first touch creates (SPEC C5). */
async function freshUser() {
  const userId = uniqueId('lua-user')
  await hydrateCart(redis, userId, undefined, 3600)
  return userId
}

const addArgs = (bookId: string, quantity: number, stock = 10): AddItemInput => ({
  bookId,
  quantity,
  book: { status: 'active', title: 'Dune', priceCents: 1250, stock },
  maxQuantityPerItem: 5,
  maxDistinctItems: 3,
})

describe('the cart scripts, called directly', () => {
  it('inline their includes and declare six keys', () => {
    for (const script of Object.values(cartScripts)) {
      expect(script.source).not.toMatch(/^-- @include/m)
      expect(script.source).toContain('local function commit(')
      expect(script.numberOfKeys).toBe(6)
    }
    expect(readScriptSource('cart-clear.lua')).toContain("commit('clear', {})")
  })

  it('encode an empty cart with an empty items array and keep one Cart schema', async () => {
    const userId = await freshUser()
    const result = await runCartMutation(redis, 'clear', context(userId), {})
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
    const userId = await freshUser()
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
      await runCartMutation(redis, 'add-item', context(userId), {
        bookId: 'b1',
        quantity: 1,
        book: undefined,
        maxQuantityPerItem: 5,
        maxDistinctItems: 3,
      }),
    ).toMatchObject({ reason: 'BOOK_NOT_FOUND' })
    expect(await runCartMutation(redis, 'remove-item', context(userId), { bookId: 'b1' })).toMatchObject({
      reason: 'ITEM_NOT_IN_CART',
    })
    expect(await redis.exists(keys.version)).toBe(0)
    expect(JSON.parse((await redis.get(keys.cart)) ?? '{}')).toMatchObject({ version: 0, items: [] })
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
    const userId = await freshUser()
    const keys = cartKeys(userId)
    await runCartMutation(redis, 'add-item', context(userId), addArgs('b1', 1))
    expect(await redis.ttl(keys.cart)).toBeGreaterThan(3000)
    expect(await redis.ttl(keys.version)).toBe(-1)
  })

  it('change nothing on a missing cart key and ask for hydration first (SPEC C5)', async () => {
    const userId = uniqueId('lua-user')
    const keys = cartKeys(userId)
    for (const [op, args] of [
      ['add-item', addArgs('b1', 1)],
      [
        'set-quantity',
        { bookId: 'b1', quantity: 2, book: { status: 'active', stock: 10 }, maxQuantityPerItem: 5 },
      ],
      ['remove-item', { bookId: 'b1' }],
      ['clear', {}],
    ] as const)
      expect(await runCartMutation(redis, op, context(userId), args)).toEqual({ outcome: 'needs-hydration' })
    expect(await redis.exists(keys.cart, keys.version)).toBe(0)
  })
})

describe('cart-hydrate.lua', () => {
  const durable = {
    version: 7,
    updatedAt: 1_700_000_000_500,
    items: [{ bookId: 'b1', title: 'Dune', unitPriceCents: 1250, quantity: 2, addedAt: 1_700_000_000_000 }],
  }

  it('restores the durable cart with its version, once; the next mutation goes on from there', async () => {
    const userId = uniqueId('lua-user')
    const restored = await hydrateCart(redis, userId, durable, 3600)
    expect(restored.outcome).toBe('restored')
    const cart: unknown = JSON.parse(restored.cartJson)
    expect(Check(Cart, cart)).toBe(true)
    expect(cart).toEqual({
      userId,
      version: 7,
      items: [{ ...durable.items[0], lineTotalCents: 2500 }],
      totalCents: 2500,
      itemCount: 2,
      updatedAt: durable.updatedAt,
    })
    expect(await hydrateCart(redis, userId, { ...durable, version: 9, items: [] }, 3600)).toMatchObject({
      outcome: 'present',
      version: 7,
    })
    const next = await runCartMutation(redis, 'add-item', context(userId), addArgs('b2', 1))
    expect(next).toMatchObject({ outcome: 'committed', version: 8 })
  })

  it('never reuses a version: a counter ahead of the durable copy gives the restored state a new one (SPEC C3)', async () => {
    const userId = uniqueId('lua-user')
    const keys = cartKeys(userId)
    await redis.set(keys.version, 12)
    expect(await hydrateCart(redis, userId, durable, 3600)).toMatchObject({
      outcome: 'restored',
      version: 13,
    })
    expect(await redis.get(keys.version)).toBe('13')
  })
})

describe('cart-advance-version.lua', () => {
  const advance = (userId: string, durableVersion: number) =>
    advanceCartVersion(redis, { userId, durableVersion, skip: 1000, now: 1, cartTtlSeconds: 3600 })

  it('moves a cart behind PostgreSQL past it, leaving the lost versions unused', async () => {
    const userId = await freshUser()
    await runCartMutation(redis, 'add-item', context(userId), addArgs('b1', 1))
    const result = await advance(userId, 5)
    expect(result).toMatchObject({ outcome: 'advanced', version: 1006 })
  })

  it("leaves a cart at PostgreSQL's version alone: a job that read it before a newer state was persisted", async () => {
    const userId = await freshUser()
    await runCartMutation(redis, 'add-item', context(userId), addArgs('b1', 1))
    await runCartMutation(redis, 'add-item', context(userId), addArgs('b2', 1))
    // A concurrent job persisted version 2 (Redis's own): PostgreSQL is not ahead of Redis.
    expect(await advance(userId, 2)).toEqual({ outcome: 'unchanged', version: 2 })
    expect(await advance(userId, 1)).toEqual({ outcome: 'unchanged', version: 2 })
    expect(Number(await redis.get(cartKeys(userId).version))).toBe(2)
  })
})

describe('what one shopper can make Redis hold (docs/limits.md)', () => {
  it('keeps at most answersKept Idempotency-Key answers, the oldest leaving first, and replays the kept ones', async () => {
    const userId = await freshUser()
    const keys = cartKeys(userId)
    const run = (key: string) =>
      runCartMutation(
        redis,
        'add-item',
        { ...context(userId, { key, fingerprint: 'add|b1|1' }), answersKept: 3 },
        addArgs('b1', 1, 100),
      )
    const answers: string[] = []
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      const result = await run(key)
      expect(result.outcome).toBe('committed')
      if (result.outcome === 'committed') answers.push(result.cartJson)
    }
    expect(await redis.hlen(keys.answers)).toBe(3)
    expect(await redis.zcard(keys.answerOrder)).toBe(3)
    expect(await redis.ttl(keys.answers)).toBeGreaterThan(0)
    // The three newest replay their own answer; the two oldest are gone and would run again.
    for (const [index, key] of ['k3', 'k4', 'k5'].entries())
      expect(await run(key)).toEqual({ outcome: 'replayed', cartJson: answers[index + 2] })
    expect(await redis.hexists(keys.answers, 'k1')).toBe(0)
    // No key per Idempotency-Key: the shopper's answers live in two keys.
    expect(await keysOnEveryMaster(redis, `cart:{${userId}}:idem*`)).toHaveLength(2)
  })

  it('refuses mutations over the shopper rate with the time left, counts retries of kept answers not at all', async () => {
    const userId = await freshUser()
    const limited = (idempotency?: CartMutationContext['idempotency']) => ({
      ...context(userId, idempotency),
      rateLimit: { mutations: 3, windowMs: 60_000 },
    })
    const first = await runCartMutation(
      redis,
      'add-item',
      limited({ key: 'once', fingerprint: 'add|b1|1' }),
      addArgs('b1', 1, 100),
    )
    expect(first.outcome).toBe('committed')
    for (let step = 0; step < 2; step += 1)
      expect((await runCartMutation(redis, 'add-item', limited(), addArgs('b1', 1, 100))).outcome).toBe(
        'committed',
      )
    const over = await runCartMutation(redis, 'remove-item', limited(), { bookId: 'b1' })
    expect(over).toMatchObject({ outcome: 'rejected', reason: 'RATE_LIMITED' })
    if (over.outcome === 'rejected') {
      expect(Number(over.detail)).toBeGreaterThan(0)
      expect(Number(over.detail)).toBeLessThanOrEqual(60_000)
    }
    // A retry of an answered request still gets its answer, and the cart did not change.
    const retry = await runCartMutation(
      redis,
      'add-item',
      limited({ key: 'once', fingerprint: 'add|b1|1' }),
      addArgs('b1', 1, 100),
    )
    expect(retry.outcome).toBe('replayed')
    expect(JSON.parse((await redis.get(cartKeys(userId).cart)) ?? '{}').version).toBe(3)
    expect(await redis.pttl(cartKeys(userId).mutations)).toBeGreaterThan(0)
  })
})
