import { buildCartApi, loadCartApiConfig } from '@bookstore/cart-api'
import { seedBook, uniqueId } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { redisUrl } from './harness'

/** cart-api as the local stack runs it, trusting the given public key(s) (PEM text). */
export async function startCartApi(publicKeyPem: string) {
  const prefix = uniqueId('test-bull')
  const app = await buildCartApi(
    loadCartApiConfig({
      REDIS_URL: redisUrl(),
      JWT_PUBLIC_KEY: publicKeyPem,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: prefix,
    }),
  )
  const redis = new Redis(redisUrl())
  return {
    app,
    seedBook: () => seedBook(redis),
    getCart: (accessToken: string) =>
      app.inject({ method: 'GET', url: '/cart', headers: { authorization: `Bearer ${accessToken}` } }),
    addItem: (accessToken: string, bookId: string, quantity = 1) =>
      app.inject({
        method: 'POST',
        url: '/cart/items',
        headers: { authorization: `Bearer ${accessToken}` },
        payload: { bookId, quantity },
      }),
    async close() {
      await app.close()
      // This test's persistence queue lives under its own prefix: remove it from the shared Redis.
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
        if (keys.length) await redis.del(...keys)
        cursor = next
      } while (cursor !== '0')
      redis.disconnect()
    },
  }
}
