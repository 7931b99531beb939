import { Cart, cartKeys } from '@bookstore/events'
import type { Cluster, Redis } from 'ioredis'
import { Compile } from 'typebox/compile'

export interface NewestCarts {
  /** Valid carts, by user. */
  carts: Cart[]
  /** Users whose key is gone: the cart expired or Redis lost it. */
  missing: string[]
  /** Users whose stored JSON is not a valid cart (retrying alone will not fix it). */
  invalid: string[]
}

/** Compiled once: the reconciliation sweep checks every cart of Redis with it. */
const cartValidator = Compile(Cart)

function parseCart(userId: string, raw: string): Cart | undefined {
  try {
    const cart: unknown = JSON.parse(raw)
    return cartValidator.Check(cart) && cart.userId === userId ? cart : undefined
  } catch {
    return undefined
  }
}

/**
 * Reads the NEWEST cart of each user from Redis: one GET per cart, sent together (the connection
 * auto-pipelines, which also works on Redis Cluster where the keys live in different slots).
 * A missing key means the cart expired or Redis lost it: PostgreSQL keeps what it has, and
 * hydration restores it from there on the next touch (SPEC C5). A cleared cart is not missing:
 * the clear script stores an empty cart, which is written like any other.
 */
export async function readNewestCarts(
  redis: Redis | Cluster,
  userIds: readonly string[],
): Promise<NewestCarts> {
  const raws = await Promise.all(userIds.map((userId) => redis.get(cartKeys(userId).cart)))
  const result: NewestCarts = { carts: [], missing: [], invalid: [] }
  userIds.forEach((userId, index) => {
    const raw = raws[index]
    if (raw === null || raw === undefined) {
      result.missing.push(userId)
      return
    }
    const cart = parseCart(userId, raw)
    if (cart) result.carts.push(cart)
    else result.invalid.push(userId)
  })
  return result
}
