import { cartItems, carts, type Database } from '@bookstore/db'
import type { DurableCart } from '@bookstore/lua'
import { serviceUnavailable } from '@bookstore/service-kit'
import { asc, eq } from 'drizzle-orm'

/** Reads a cart's durable copy; undefined when PostgreSQL has none. */
export type DurableCartReader = (userId: string) => Promise<DurableCart | undefined>

/**
 * The cart as the persistence worker last wrote it (the reverse of its cart-to-rows mapping).
 * Called only when the cart is missing from Redis. PostgreSQL unreachable is a 503: starting an
 * empty cart instead could hide the shopper's cart and, after a Redis data loss, reuse versions.
 */
export function createDurableCartReader(db: Database): DurableCartReader {
  return async (userId) => {
    try {
      const [row] = await db.select().from(carts).where(eq(carts.userId, userId))
      if (!row) return undefined
      const items = await db
        .select()
        .from(cartItems)
        .where(eq(cartItems.userId, userId))
        .orderBy(asc(cartItems.addedAt), asc(cartItems.bookId))
      return {
        version: row.version,
        updatedAt: row.updatedAt ? row.updatedAt.getTime() : null,
        items: items.map((item) => ({
          bookId: item.bookId,
          title: item.title,
          unitPriceCents: item.unitPriceCents,
          quantity: item.quantity,
          addedAt: item.addedAt.getTime(),
          ...(item.previousUnitPriceCents !== null && {
            previousUnitPriceCents: item.previousUnitPriceCents,
          }),
          ...(item.outOfStock !== null && { outOfStock: item.outOfStock }),
          ...(item.availableStock !== null && { availableStock: item.availableStock }),
          ...(item.bookVersion !== null && { bookVersion: item.bookVersion }),
        })),
      }
    } catch (error) {
      throw Object.assign(
        serviceUnavailable('STORE_UNAVAILABLE', 'The cart store is unreachable; retry soon'),
        { cause: error },
      )
    }
  }
}

/** Without a database (tests, benchmarks): no cart is durable anywhere, a missing one starts empty. */
export const noDurableCarts: DurableCartReader = async () => undefined
