import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { type BookReadModel, bookKey, cartKeys, readBookReadModel, writeBookReadModel } from '../src'

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
afterAll(() => redis.quit())

const book: BookReadModel = {
  bookId: `book-${Date.now()}`,
  title: 'Gödel, Escher, Bach',
  priceCents: 2599,
  stock: 7,
  status: 'active',
  updatedAt: 1_700_000_000_000,
}

describe('book read model', () => {
  it('round-trips through Redis with its types', async () => {
    await writeBookReadModel(redis, book)
    expect(await readBookReadModel(redis, book.bookId)).toEqual(book)
  })

  it('refuses to write an invalid book and reads a damaged one as unknown', async () => {
    await expect(writeBookReadModel(redis, { ...book, priceCents: 12.5 })).rejects.toThrow(TypeError)
    await redis.hset(bookKey('damaged-book'), { bookId: 'damaged-book', title: 'x', priceCents: 'free' })
    expect(await readBookReadModel(redis, 'damaged-book')).toBeUndefined()
    expect(await readBookReadModel(redis, 'no-such-book')).toBeUndefined()
  })
})

describe('key layout', () => {
  it("puts every key of a cart in the user's hash tag (one Cluster slot)", () => {
    const keys = cartKeys('alice')
    for (const key of Object.values(keys)) expect(key).toContain('{alice}')
  })
})
