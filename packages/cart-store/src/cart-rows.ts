import { cartItems, carts } from '@bookstore/db'
import type { Cart, CartItem, DurableCartItem } from '@bookstore/events'
import { getTableColumns } from 'drizzle-orm'

/** The `carts` row of one cart, as the worker writes it (`persisted_at` is the database's own). */
export type CartRow = Omit<typeof carts.$inferSelect, 'persistedAt'>

const { persistedAt: _persistedAt, ...cartColumns } = getTableColumns(carts)
/** The columns of a `CartRow`, so reads and comparisons follow the schema. */
export const cartRowColumns = cartColumns

/** One `cart_items` row. */
export type CartItemRow = typeof cartItems.$inferSelect

/**
 * A cart line as a row, and back: the one place a cart line's fields meet its columns. Both
 * mappings name every field (the row type requires each column, the line type each field), so a
 * field added to `CartItem` (events) without its column in packages/db, or the other way round,
 * does not compile. The row comparisons and the upserts follow the columns by themselves.
 */
const itemRow = (userId: string, item: CartItem): CartItemRow => ({
  userId,
  bookId: item.bookId,
  title: item.title,
  unitPriceCents: item.unitPriceCents,
  quantity: item.quantity,
  addedAt: new Date(item.addedAt),
  previousUnitPriceCents: item.previousUnitPriceCents ?? null,
  outOfStock: item.outOfStock ?? null,
  availableStock: item.availableStock ?? null,
  bookVersion: item.bookVersion ?? null,
})

/** Every field named: an optional one is undefined when its column is NULL (JSON then leaves it out). */
type EveryField<T> = { [K in keyof Required<T>]: T[K] }

/** A stored line as the hydration script takes it (the script derives the line total). */
export const durableItemOf = (row: CartItemRow): EveryField<DurableCartItem> => ({
  bookId: row.bookId,
  title: row.title,
  unitPriceCents: row.unitPriceCents,
  quantity: row.quantity,
  addedAt: row.addedAt.getTime(),
  previousUnitPriceCents: row.previousUnitPriceCents ?? undefined,
  outOfStock: row.outOfStock ?? undefined,
  availableStock: row.availableStock ?? undefined,
  bookVersion: row.bookVersion ?? undefined,
})

/** The one place that maps a cart (as Redis holds it) to database rows. */
export function cartToRows(cart: Cart): { cart: CartRow; items: CartItemRow[] } {
  return {
    cart: {
      userId: cart.userId,
      version: cart.version,
      totalCents: cart.totalCents,
      itemCount: cart.itemCount,
      updatedAt: cart.updatedAt === null ? null : new Date(cart.updatedAt),
    },
    items: cart.items.map((item) => itemRow(cart.userId, item)),
  }
}

const sameValue = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b

/** Compares two rows column by column, over every column of the table (a new one included). */
const sameColumns =
  <Row>(columns: Record<keyof Row, unknown>) =>
  (a: Row, b: Row): boolean =>
    (Object.keys(columns) as (keyof Row)[]).every((column) => sameValue(a[column], b[column]))

/** True when a stored item row already holds what the cart says (so it is not written again). */
export const sameItemRow = sameColumns<CartItemRow>(getTableColumns(cartItems))

const sameCartRow = sameColumns<CartRow>(cartRowColumns)

/**
 * True when PostgreSQL holds exactly this cart: same version, totals, last change and lines. What
 * reconciliation asks of every cart (SPEC P6); a difference the version alone does not show (a
 * row changed behind the worker's back) counts too.
 */
export function sameCart(
  stored: { cart: CartRow; items: readonly CartItemRow[] },
  wanted: { cart: CartRow; items: readonly CartItemRow[] },
): boolean {
  if (!sameCartRow(stored.cart, wanted.cart) || stored.items.length !== wanted.items.length) return false
  const storedByBook = new Map(stored.items.map((item) => [item.bookId, item]))
  return wanted.items.every((item) => {
    const before = storedByBook.get(item.bookId)
    return before !== undefined && sameItemRow(before, item)
  })
}
