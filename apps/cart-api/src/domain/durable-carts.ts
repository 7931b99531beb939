import { readDurableCarts } from '@bookstore/cart-store'
import type { Database } from '@bookstore/db'
import type { DurableCart } from '@bookstore/events'
import { cartError } from './cart-errors'

/** Reads a cart's durable copy; undefined when PostgreSQL has none. */
export type DurableCartReader = (userId: string) => Promise<DurableCart | undefined>

/**
 * The cart as the persistence worker last wrote it. Called only when the cart is missing from
 * Redis. PostgreSQL unreachable is STORE_UNAVAILABLE (retry soon): starting an empty cart instead
 * could hide the shopper's cart and, after a Redis data loss, reuse versions.
 */
export function createDurableCartReader(db: Database): DurableCartReader {
  return async (userId) => {
    try {
      return (await readDurableCarts(db, [userId])).get(userId)
    } catch (error) {
      throw Object.assign(cartError('STORE_UNAVAILABLE', 'The cart store is unreachable; retry soon'), {
        cause: error,
      })
    }
  }
}

/** Without a database (tests, benchmarks): no cart is durable anywhere, a missing one starts empty. */
export const noDurableCarts: DurableCartReader = async () => undefined
