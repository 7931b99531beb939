import { cartItems, carts, type Database } from '@bookstore/db'
import type { DurableCart } from '@bookstore/lua'
import { asc, inArray } from 'drizzle-orm'

type StoredItem = typeof cartItems.$inferSelect

/** A stored item row as a cart line (the reverse of `cartToRows`; the script derives line totals). */
const lineOf = (item: StoredItem): DurableCart['items'][number] => ({
  bookId: item.bookId,
  title: item.title,
  unitPriceCents: item.unitPriceCents,
  quantity: item.quantity,
  addedAt: item.addedAt.getTime(),
  ...(item.previousUnitPriceCents !== null && { previousUnitPriceCents: item.previousUnitPriceCents }),
  ...(item.outOfStock !== null && { outOfStock: item.outOfStock }),
  ...(item.availableStock !== null && { availableStock: item.availableStock }),
  ...(item.bookVersion !== null && { bookVersion: item.bookVersion }),
})

/**
 * The durable copies of these carts as the persistence worker last wrote them, by user; a user
 * PostgreSQL has no cart for is absent. Two queries whatever the number of users, in one
 * read-only snapshot, so a cart row and its items always come from the same write.
 */
export async function readDurableCarts(
  db: Database,
  userIds: readonly string[],
): Promise<Map<string, DurableCart>> {
  const found = new Map<string, DurableCart>()
  if (userIds.length === 0) return found
  const ids = [...new Set(userIds)]
  const { rows, items } = await db.transaction(
    async (tx) => ({
      rows: await tx.select().from(carts).where(inArray(carts.userId, ids)),
      items: await tx
        .select()
        .from(cartItems)
        .where(inArray(cartItems.userId, ids))
        .orderBy(asc(cartItems.userId), asc(cartItems.addedAt), asc(cartItems.bookId)),
    }),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
  for (const row of rows)
    found.set(row.userId, {
      version: row.version,
      updatedAt: row.updatedAt ? row.updatedAt.getTime() : null,
      items: [],
    })
  for (const item of items) found.get(item.userId)?.items.push(lineOf(item))
  return found
}
