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
 * of persistence-worker's apply-carts.ts and a line in `lineOf` of durable-carts.ts (the way back, for hydration).
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
