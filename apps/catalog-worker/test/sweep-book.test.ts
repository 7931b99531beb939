import { bookCartsKey, type CartCommit, type CatalogEvent, cartKeys, emptyCart } from '@bookstore/events'
import { loadCartScripts, loadCatalogScripts, runCartMutation } from '@bookstore/lua'
import { testRedisClient, uniqueId } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sweepBook } from '../src/domain/sweep-book'

const redis = testRedisClient()
beforeAll(async () => {
  await Promise.all([loadCartScripts(redis), loadCatalogScripts(redis)])
})
afterAll(() => redis.quit())

const settings = { batchSize: 7, pruneAfterMs: 60_000, cartTtlSeconds: 3600 }

/** Carts holding the book, added the way cart-api adds (index entry first, then the script). */
async function fillCarts(bookId: string, count: number, indexedAt = Date.now()) {
  const users = Array.from({ length: count }, () => uniqueId('user'))
  for (const userId of users) {
    await redis.set(cartKeys(userId).cart, JSON.stringify(emptyCart(userId)), 'EX', 600)
    await redis.zadd(bookCartsKey(bookId), indexedAt, userId)
    await runCartMutation(
      redis,
      'add-item',
      { userId, now: Date.now(), cartTtlSeconds: 600, idempotencyTtlSeconds: 60 },
      {
        bookId,
        quantity: 1,
        book: { status: 'active', title: 'Dune', priceCents: 1250, stock: 100 },
        maxQuantityPerItem: 99,
        maxDistinctItems: 100,
      },
    )
  }
  return users
}

const priceEvent = (bookId: string, priceCents: number, bookVersion = 2): CatalogEvent => ({
  eventId: 1,
  type: 'book.updated',
  bookId,
  bookVersion,
  occurredAt: Date.now(),
  before: { title: 'Dune', priceCents: 1250, stock: 100, status: 'active' },
  after: { title: 'Dune', priceCents, stock: 100, status: 'active' },
})

describe('sweepBook', () => {
  it('walks the whole index page by page and persists every changed cart', async () => {
    const bookId = uniqueId('book')
    const users = await fillCarts(bookId, 30)
    const persisted: CartCommit[] = []
    const stats = await sweepBook(
      { redis, settings, persist: async (commits) => void persisted.push(...commits) },
      priceEvent(bookId, 999),
      { includeUnchanged: false },
    )
    expect(stats).toMatchObject({ scanned: 30, committed: 30, unchanged: 0, absent: 0 })
    expect(persisted.map((commit) => commit.userId).sort()).toEqual([...users].sort())
    expect(persisted.every((commit) => commit.version === 2)).toBe(true)
  })

  it('re-enqueues carts already up to date when a try died before persisting them', async () => {
    const bookId = uniqueId('book')
    const users = await fillCarts(bookId, 10)
    const failing = async () => {
      throw new Error('queue unreachable')
    }
    await expect(
      sweepBook({ redis, settings, persist: failing }, priceEvent(bookId, 999), { includeUnchanged: false }),
    ).rejects.toThrow('queue unreachable')
    const persisted: CartCommit[] = []
    const retry = await sweepBook(
      { redis, settings, persist: async (commits) => void persisted.push(...commits) },
      priceEvent(bookId, 999),
      { includeUnchanged: true },
    )
    // The first try changed some carts (one page) before it died; the retry persists all of them.
    expect(retry.committed + retry.unchanged).toBe(10)
    expect(retry.unchanged).toBeGreaterThan(0)
    expect(persisted.map((commit) => commit.userId).sort()).toEqual([...users].sort())
    for (const commit of persisted) expect(commit.version).toBe(2)
  })

  it('prunes index members without the book only when their last add is old', async () => {
    const bookId = uniqueId('book')
    const key = bookCartsKey(bookId)
    const holders = await fillCarts(bookId, 2)
    const oldEmpty = uniqueId('user')
    const youngEmpty = uniqueId('user')
    await redis.zadd(key, Date.now() - 3_600_000, oldEmpty, Date.now(), youngEmpty)
    const stats = await sweepBook(
      { redis, settings, persist: async () => undefined },
      priceEvent(bookId, 999),
      { includeUnchanged: false },
    )
    expect(stats).toMatchObject({ committed: 2, absent: 2, pruned: 1 })
    expect((await redis.zrange(key, '0', '-1')).sort()).toEqual([...holders, youngEmpty].sort())
    await redis.unlink(key)
  })
})
