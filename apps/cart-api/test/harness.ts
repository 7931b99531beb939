import { Cart, type CartCommit, CartPersistJob, cartKeys, queueNames } from '@bookstore/events'
import { type Env, startStack } from '@bookstore/test-kit'
import { Check } from 'typebox/value'

/**
 * cart-api alone on a test stack, built as main.ts builds it: the test Redis (or the one in
 * `env.REDIS_URL`), a signing key and a queue prefix of its own, so that test files run side by side.
 */
export async function startCartApi(env: Env = {}) {
  const stack = await startStack({
    redis: env.REDIS_URL ? { url: env.REDIS_URL } : 'shared',
    apps: [{ name: 'cart-api', env }],
  })
  const { app, url } = stack.instance('cart-api')
  const queue = stack.queue(queueNames.cartPersistence)

  return {
    ...stack,
    app,
    /** Where it listens (a free port). */
    url,
    queue,
    /** POST /cart/items as the shopper whose headers these are. */
    addItem: (headers: Record<string, string>, bookId: string, quantity?: number) =>
      app.inject({
        method: 'POST',
        url: '/cart/items',
        headers,
        payload: quantity ? { bookId, quantity } : { bookId },
      }),
    /** The commits of this user in waiting persistence jobs (each job checked against its schema). */
    async queuedCommits(userId: string): Promise<CartCommit[]> {
      return (await queue.getJobs(['waiting'])).flatMap(({ data }) => {
        if (!Check(CartPersistJob, data)) throw new Error(`bad job ${JSON.stringify(data)}`)
        return data.commits.filter((commit) => commit.userId === userId)
      })
    },
    /** The version counter straight from Redis, bypassing the API. */
    async storedVersion(userId: string) {
      return Number((await stack.redis.get(cartKeys(userId).version)) ?? 0)
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
