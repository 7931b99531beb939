import { Cart, type CartCommit, CartPersistJob, cartKeys, queueNames } from '@bookstore/events'
import { generateTestKeys, seedBook, signTestToken, type TokenOptions, uniqueId } from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { Check } from 'typebox/value'
import { buildCartApi, loadCartApiConfig } from '../src'

export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/**
 * Boots cart-api exactly as main.ts does, against the test Redis, with its own signing key and its
 * own queue prefix so that test files can run side by side.
 */
export async function startCartApi(env: Record<string, string> = {}) {
  const keys = generateTestKeys()
  const config = loadCartApiConfig({
    REDIS_URL: redisUrl(),
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: uniqueId('test-bull'),
    ...env,
  })
  const app = await buildCartApi(config)
  const redis = new Redis(config.REDIS_URL)
  const queue = new Queue(queueNames.cartPersistence, { connection: redis, prefix: config.QUEUE_PREFIX })

  return {
    app,
    config,
    redis,
    queue,
    keys,
    token: (userId: string, options?: TokenOptions) => signTestToken(keys.privateKey, userId, options),
    seedBook: (overrides?: Parameters<typeof seedBook>[1]) => seedBook(redis, overrides),
    /** POST /cart/items as the shopper whose headers these are. */
    addItem: (headers: Record<string, string>, bookId: string, quantity?: number) =>
      app.inject({
        method: 'POST',
        url: '/cart/items',
        headers,
        payload: quantity ? { bookId, quantity } : { bookId },
      }),
    /** A fresh user with a valid token. */
    async shopper(options?: TokenOptions) {
      const userId = uniqueId('user')
      return {
        userId,
        auth: { authorization: `Bearer ${await signTestToken(keys.privateKey, userId, options)}` },
      }
    },
    /** The commits of this user in waiting persistence jobs (each job checked against its schema). */
    async queuedCommits(userId: string): Promise<CartCommit[]> {
      const jobs = await queue.getJobs(['waiting'])
      for (const job of jobs)
        if (!Check(CartPersistJob, job.data)) throw new Error(`bad job ${JSON.stringify(job.data)}`)
      return jobs.flatMap((job) =>
        (job.data as CartPersistJob).commits.filter((commit) => commit.userId === userId),
      )
    },
    /** The version counter straight from Redis, bypassing the API. */
    async storedVersion(userId: string) {
      return Number((await redis.get(cartKeys(userId).version)) ?? 0)
    },
    async close() {
      await app.close()
      await queue.obliterate({ force: true })
      await queue.close()
      redis.disconnect()
    },
  }
}
export type TestCartApi = Awaited<ReturnType<typeof startCartApi>>

/** Parses a response body as a cart and checks it against the one Cart schema. */
export function asCart(body: string): Cart {
  const cart: unknown = JSON.parse(body)
  if (!Check(Cart, cart)) throw new Error(`not a cart: ${body}`)
  return cart
}
