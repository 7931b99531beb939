import type { OrderStatus } from '@bookstore/events'

/** Who moves an order: the shopper, an admin, or the saga itself. */
export type Actor = 'shopper' | 'admin' | 'system'

/**
 * The order's state machine (SPEC O2): which status may follow which, and who may make it so.
 * Confirmation is the saga's alone (it needs a capture); shipping and delivery are an admin's;
 * a shopper may cancel until the order ships.
 */
const allowed: Record<OrderStatus, Partial<Record<OrderStatus, readonly Actor[]>>> = {
  pending: { confirmed: ['system'], cancelled: ['shopper', 'admin', 'system'] },
  confirmed: { shipped: ['admin'], cancelled: ['shopper', 'admin'] },
  shipped: { delivered: ['admin'] },
  delivered: {},
  cancelled: {},
}

export const mayTransition = (from: OrderStatus, to: OrderStatus, actor: Actor): boolean =>
  allowed[from][to]?.includes(actor) ?? false

/** The statuses that may follow `from` for this actor (for the refusal's details). */
export const nextStatuses = (from: OrderStatus, actor: Actor): OrderStatus[] =>
  (Object.keys(allowed[from]) as OrderStatus[]).filter((to) => mayTransition(from, to, actor))
