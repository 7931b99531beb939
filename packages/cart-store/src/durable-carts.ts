import { cartItems, carts, type Database } from '@bookstore/db'
import type { DurableCart } from '@bookstore/events'
import { asc, type Column, sql } from 'drizzle-orm'
import { type CartItemRow, type CartRow, cartRowColumns, durableItemOf } from './cart-rows'

/** `column = any($1)`: one array parameter, however many users (a page can hold thousands). */
const isAnyOf = (column: Column, values: string[]) => sql`${column} = any(${sql.param(values)})`

/** A cart as PostgreSQL holds it: the same shape `cartToRows` gives a cart from Redis. */
export interface StoredCart {
  cart: CartRow
  items: CartItemRow[]
}

/**
 * The stored rows of these carts, by user; a user PostgreSQL has no cart for is absent. Two
 * queries whatever the number of users, in one read-only snapshot, so a cart row and its items
 * always come from the same write. Items in the order they were added.
 */
export async function readStoredCarts(
  db: Database,
  userIds: readonly string[],
): Promise<Map<string, StoredCart>> {
  const found = new Map<string, StoredCart>()
  if (userIds.length === 0) return found
  const ids = [...new Set(userIds)]
  const { rows, items } = await db.transaction(
    async (tx) => ({
      rows: await tx.select(cartRowColumns).from(carts).where(isAnyOf(carts.userId, ids)),
      items: await tx
        .select()
        .from(cartItems)
        .where(isAnyOf(cartItems.userId, ids))
        .orderBy(asc(cartItems.userId), asc(cartItems.addedAt), asc(cartItems.bookId)),
    }),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
  for (const row of rows) found.set(row.userId, { cart: row, items: [] })
  for (const item of items) found.get(item.userId)?.items.push(item)
  return found
}

/** A stored cart as the hydration script takes it (the script derives the line totals). */
export const durableCartOf = ({ cart, items }: StoredCart): DurableCart => ({
  version: cart.version,
  updatedAt: cart.updatedAt ? cart.updatedAt.getTime() : null,
  items: items.map(durableItemOf),
})

/** The durable copies of these carts as the persistence worker last wrote them, by user. */
export async function readDurableCarts(
  db: Database,
  userIds: readonly string[],
): Promise<Map<string, DurableCart>> {
  const stored = await readStoredCarts(db, userIds)
  return new Map([...stored].map(([userId, entry]) => [userId, durableCartOf(entry)]))
}
