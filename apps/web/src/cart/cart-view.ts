import type { Cart, CartItem } from '@bookstore/events'

/**
 * A change the shopper made that the server has not answered yet, as the state it asks for (not a
 * delta): applied over a newer cart (another device's change arrived meanwhile) it still shows what
 * the server will make of it, and never counts an addition twice.
 */
export type PendingChange =
  | {
      id: string
      kind: 'set-line'
      bookId: string
      /** 0 removes the line. */
      quantity: number
      /** What a line that is not in the cart yet shows until the server answers. */
      line?: { title: string; unitPriceCents: number }
    }
  | { id: string; kind: 'clear' }

/** Only a newer version replaces what is held (SPEC RT3, C3): versions never repeat or go back. */
export const isNewer = (held: Cart | undefined, incoming: Cart): boolean =>
  held === undefined || incoming.version > held.version

function withTotals(cart: Cart, items: CartItem[]): Cart {
  return {
    ...cart,
    items,
    totalCents: items.reduce((sum, item) => sum + item.lineTotalCents, 0),
    itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
  }
}

function applyChange(cart: Cart, change: PendingChange, now: number): Cart {
  if (change.kind === 'clear') return withTotals(cart, [])
  const { bookId, quantity } = change
  const existing = cart.items.find((item) => item.bookId === bookId)
  if (quantity <= 0)
    return withTotals(
      cart,
      cart.items.filter((item) => item.bookId !== bookId),
    )
  if (existing)
    return withTotals(
      cart,
      cart.items.map((item) =>
        item.bookId === bookId ? { ...item, quantity, lineTotalCents: item.unitPriceCents * quantity } : item,
      ),
    )
  if (!change.line) return cart
  const added: CartItem = {
    bookId,
    title: change.line.title,
    unitPriceCents: change.line.unitPriceCents,
    quantity,
    lineTotalCents: change.line.unitPriceCents * quantity,
    addedAt: now,
  }
  return withTotals(cart, [...cart.items, added])
}

/** What the shopper sees: the newest confirmed cart with the unanswered changes laid over it. */
export function cartView(confirmed: Cart | undefined, pending: readonly PendingChange[], now = Date.now()) {
  if (!confirmed) return undefined
  return pending.reduce((cart, change) => applyChange(cart, change, now), confirmed)
}

export const quantityIn = (cart: Cart | undefined, bookId: string): number =>
  cart?.items.find((item) => item.bookId === bookId)?.quantity ?? 0
