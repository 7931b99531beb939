import type { Cart, CartItem } from '@bookstore/events'

/** The `carts` row of one cart, as the worker writes it. */
export interface CartRow {
  userId: string
  version: number
  totalCents: number
  itemCount: number
  updatedAt: Date | null
}

/** One `cart_items` row. */
export interface CartItemRow {
  userId: string
  bookId: string
  title: string
  unitPriceCents: number
  quantity: number
  addedAt: Date
  previousUnitPriceCents: number | null
  outOfStock: boolean | null
  availableStock: number | null
  bookVersion: number | null
}

/**
 * The one place that maps a cart (as Redis holds it) to database rows. A new item field becomes a
 * column in packages/db, a line in `itemRow`, a comparison in `sameItemRow`, a line in the upsert
 * of persistence-worker's apply-carts.ts and a line in `durableCartOf` (durable-carts.ts, the way back).
 */
export function cartToRows(cart: Cart): { cart: CartRow; items: CartItemRow[] } {
  const itemRow = (item: CartItem): CartItemRow => ({
    userId: cart.userId,
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
  return {
    cart: {
      userId: cart.userId,
      version: cart.version,
      totalCents: cart.totalCents,
      itemCount: cart.itemCount,
      updatedAt: cart.updatedAt === null ? null : new Date(cart.updatedAt),
    },
    items: cart.items.map(itemRow),
  }
}

/** True when a stored item row already holds what the cart says (so it is not written again). */
export const sameItemRow = (stored: CartItemRow, wanted: CartItemRow): boolean =>
  stored.title === wanted.title &&
  stored.unitPriceCents === wanted.unitPriceCents &&
  stored.quantity === wanted.quantity &&
  stored.addedAt.getTime() === wanted.addedAt.getTime() &&
  stored.previousUnitPriceCents === wanted.previousUnitPriceCents &&
  stored.outOfStock === wanted.outOfStock &&
  stored.availableStock === wanted.availableStock &&
  stored.bookVersion === wanted.bookVersion

/**
 * True when PostgreSQL holds exactly this cart: same version, totals, last change and lines. What
 * reconciliation asks of every cart (SPEC P6); a difference the version alone does not show (a
 * row changed behind the worker's back) counts too.
 */
export function sameCart(
  stored: { cart: CartRow; items: readonly CartItemRow[] },
  wanted: { cart: CartRow; items: readonly CartItemRow[] },
): boolean {
  const a = stored.cart
  const b = wanted.cart
  if (
    a.version !== b.version ||
    a.totalCents !== b.totalCents ||
    a.itemCount !== b.itemCount ||
    (a.updatedAt?.getTime() ?? null) !== (b.updatedAt?.getTime() ?? null) ||
    stored.items.length !== wanted.items.length
  )
    return false
  const storedByBook = new Map(stored.items.map((item) => [item.bookId, item]))
  return wanted.items.every((item) => {
    const before = storedByBook.get(item.bookId)
    return before !== undefined && sameItemRow(before, item)
  })
}
