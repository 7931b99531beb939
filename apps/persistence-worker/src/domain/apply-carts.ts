import {
  type CartItemRow,
  type CartRow,
  cartRowColumns,
  cartToRows,
  sameItemRow,
} from '@bookstore/cart-store'
import { cartItems, carts, type Database } from '@bookstore/db'
import type { Cart } from '@bookstore/events'
import { and, type Column, eq, getTableColumns, inArray, lt, lte, or, type SQL, sql } from 'drizzle-orm'

/**
 * `newer`: write a cart only if its version is newer than the stored one (SPEC P2): what every
 * commit does, so duplicates and late jobs change nothing.
 * `sync`: also rewrite a cart at the same version whose rows differ (a full-cart sync repairs a
 * divergence the version alone does not show).
 */
export type ApplyMode = 'newer' | 'sync'

export interface ApplyResult {
  /** Carts whose row was written (their version is now the Redis one). */
  written: string[]
  itemUpserts: number
  itemDeletes: number
  /**
   * Carts PostgreSQL holds at a NEWER version than Redis: Redis came back from an older snapshot.
   * Nothing was written for them (the guard); the caller moves Redis' version past this one.
   * Present only when there is one.
   */
  ahead?: { userId: string; storedVersion: number }[]
}

const itemKey = (row: { userId: string; bookId: string }) => `${row.userId}\u0000${row.bookId}`

/**
 * `column = excluded.column` for every column but the key ones: the update half of an upsert that
 * rewrites the whole row, following the schema (a new column is written without naming it here).
 */
function fromExcluded(columns: Record<string, Column>, key: readonly string[]): Record<string, SQL> {
  return Object.fromEntries(
    Object.entries(columns)
      .filter(([name]) => !key.includes(name))
      .map(([name, column]) => [name, sql`excluded.${sql.identifier(column.name)}`]),
  )
}
const cartUpdate = fromExcluded(cartRowColumns, ['userId'])
const itemUpdate = fromExcluded(getTableColumns(cartItems), ['userId', 'bookId'])

/**
 * Writes these carts to PostgreSQL in ONE transaction. The carts row is the guard: one upsert
 * whose update applies only when the version moves forward, and it takes the row lock, so the item
 * rows of a cart are only ever written by the transaction that won its version. Items are diffed
 * against what is stored: only changed rows are written. Carts are written in user-id order, so
 * concurrent transactions over overlapping carts lock in the same order and cannot deadlock.
 */
export async function applyCarts(
  db: Database,
  newest: readonly Cart[],
  mode: ApplyMode,
): Promise<ApplyResult> {
  if (newest.length === 0) return { written: [], itemUpserts: 0, itemDeletes: 0 }
  const mapped = [...newest]
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
    .map(cartToRows)
  return db.transaction(async (tx) => {
    const guard =
      mode === 'newer' ? lt(carts.version, sql`excluded.version`) : lte(carts.version, sql`excluded.version`)
    const won = await tx
      .insert(carts)
      .values(mapped.map((entry) => ({ ...entry.cart, persistedAt: sql`now()` })))
      .onConflictDoUpdate({
        target: carts.userId,
        set: { ...cartUpdate, persistedAt: sql`now()` },
        setWhere: guard,
      })
      .returning({ userId: carts.userId })
    const written = won.map((row) => row.userId)
    const writtenSet = new Set(written)
    const ahead = await aheadOf(
      tx,
      mapped.map((entry) => entry.cart).filter((cart) => !writtenSet.has(cart.userId)),
    )
    const aheadPart = ahead.length > 0 ? { ahead } : {}
    if (written.length === 0) return { written, itemUpserts: 0, itemDeletes: 0, ...aheadPart }

    const wanted = new Map<string, CartItemRow>()
    for (const entry of mapped)
      if (writtenSet.has(entry.cart.userId)) for (const item of entry.items) wanted.set(itemKey(item), item)
    const stored = await tx.select().from(cartItems).where(inArray(cartItems.userId, written))

    const deletes = stored.filter((row) => !wanted.has(itemKey(row)))
    const storedByKey = new Map(stored.map((row) => [itemKey(row), row]))
    const upserts = [...wanted.values()].filter((row) => {
      const before = storedByKey.get(itemKey(row))
      return before === undefined || !sameItemRow(before, row)
    })

    if (deletes.length > 0) {
      const byUser = new Map<string, CartItemRow[]>()
      for (const row of deletes) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row])
      await tx.delete(cartItems).where(
        or(
          ...[...byUser].map(([userId, rows]) =>
            and(
              eq(cartItems.userId, userId),
              inArray(
                cartItems.bookId,
                rows.map((row) => row.bookId),
              ),
            ),
          ),
        ),
      )
    }
    if (upserts.length > 0) {
      await tx
        .insert(cartItems)
        .values(upserts)
        .onConflictDoUpdate({
          target: [cartItems.userId, cartItems.bookId],
          set: itemUpdate,
        })
    }
    return { written, itemUpserts: upserts.length, itemDeletes: deletes.length, ...aheadPart }
  })
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]

/**
 * Of the carts the guard did not write, those whose stored version is above Redis' (one query,
 * only when some cart was not written: most such carts were written before at this very version).
 */
async function aheadOf(tx: Transaction, notWritten: readonly CartRow[]) {
  if (notWritten.length === 0) return []
  const redisVersions = new Map(notWritten.map((cart) => [cart.userId, cart.version]))
  const stored = await tx
    .select({ userId: carts.userId, version: carts.version })
    .from(carts)
    .where(
      inArray(
        carts.userId,
        notWritten.map((cart) => cart.userId),
      ),
    )
  return stored
    .filter((row) => row.version > (redisVersions.get(row.userId) ?? Number.POSITIVE_INFINITY))
    .map((row) => ({ userId: row.userId, storedVersion: row.version }))
}
