import { cartScripts } from '@bookstore/lua'
import { type PrivateRedis, startPrivateRedis } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCart, startCartApi, type TestCartApi } from './harness'

describe('scripts survive SCRIPT FLUSH and a Redis restart', () => {
  // SCRIPT FLUSH empties the cache of every client of that server: a private one, so tests running
  // beside this one on the shared Redis never see a NOSCRIPT they did not cause.
  let redis: PrivateRedis
  let api: TestCartApi
  beforeAll(async () => {
    redis = await startPrivateRedis()
    api = await startCartApi({ REDIS_URL: redis.url })
  })
  afterAll(async () => {
    await api.close()
    await redis.stop()
  })

  it('runs the next cart call after SCRIPT FLUSH (NOSCRIPT fallback)', async () => {
    const { auth } = await api.shopper()
    const book = await api.seedBook()
    const add = () =>
      api.app.inject({ method: 'POST', url: '/cart/items', headers: auth, payload: { bookId: book.bookId } })
    expect((await add()).statusCode).toBe(200)
    const { sha } = cartScripts['add-item']
    await api.redis.script('FLUSH')
    expect(await api.redis.script('EXISTS', sha)).toEqual([0])
    const afterFlush = await add()
    expect(afterFlush.statusCode).toBe(200)
    expect(asCart(afterFlush.body)).toMatchObject({ version: 2, itemCount: 2 })
    // the fallback cached the script again: the call after that goes by SHA
    expect(await api.redis.script('EXISTS', sha)).toEqual([1])
    expect((await add()).statusCode).toBe(200)
  })
})

describe('a Redis restart', () => {
  it('answers 503 while Redis is down and works again, scripts and all, once it is back', async () => {
    const redis = await startPrivateRedis()
    const api = await startCartApi({ REDIS_URL: redis.url })
    let restarted: Awaited<ReturnType<typeof startPrivateRedis>> | undefined
    try {
      const { auth } = await api.shopper()
      const book = await api.seedBook()
      const add = () =>
        api.app.inject({
          method: 'POST',
          url: '/cart/items',
          headers: auth,
          payload: { bookId: book.bookId },
        })
      expect((await add()).statusCode).toBe(200)

      await redis.stop()
      const down = await add()
      expect(down.statusCode).toBe(503)
      expect(down.json().error.code).toBe('STORE_UNAVAILABLE')
      expect(down.headers['retry-after']).toBe('1')
      const notReady = await api.app.inject({ url: '/health/ready' })
      expect(notReady.statusCode).toBe(503)

      // Same port, empty memory, no scripts loaded.
      restarted = await startPrivateRedis({ port: redis.port })
      await api.seedBook(book)
      await expect.poll(async () => (await add()).statusCode, { timeout: 10_000, interval: 200 }).toBe(200)
      expect((await api.app.inject({ url: '/health/ready' })).statusCode).toBe(200)
    } finally {
      await api.close().catch(() => {})
      await restarted?.stop()
      await redis.stop()
    }
  })
})
