import type { orderHistory, orderLines, orders } from '@bookstore/db'
import type {
  CancelReason,
  Order,
  OrderLine,
  OrderStatus,
  OrderTransition,
  PaymentStatus,
  RefusedLine,
} from '@bookstore/events'

export type OrderRow = typeof orders.$inferSelect
export type OrderLineRow = typeof orderLines.$inferSelect
export type OrderHistoryRow = typeof orderHistory.$inferSelect

/** The saga's view of book-api's reservation for the order (docs/orders.md). */
export type ReservationState =
  | 'requested'
  | 'held'
  | 'refused'
  | 'committing'
  | 'committed'
  | 'releasing'
  | 'released'

export const lineOf = (row: OrderLineRow): OrderLine => ({
  bookId: row.bookId,
  title: row.title,
  unitPriceCents: row.unitPriceCents,
  quantity: row.quantity,
  lineTotalCents: row.unitPriceCents * row.quantity,
})

export const transitionOf = (row: OrderHistoryRow): OrderTransition => ({
  from: (row.fromStatus as OrderStatus | null) ?? null,
  to: row.toStatus as OrderStatus,
  reason: row.reason,
  actor: row.actor,
  at: row.at.getTime(),
})

/** An order as the API answers it and its events carry it. */
export function toOrder(row: OrderRow, lines: OrderLineRow[], history?: OrderHistoryRow[]): Order {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status as OrderStatus,
    revision: row.revision,
    cartVersion: row.cartVersion,
    lines: [...lines].sort((a, b) => a.position - b.position).map(lineOf),
    totalCents: row.totalCents,
    itemCount: row.itemCount,
    currency: 'USD',
    payment: row.payment as PaymentStatus,
    cancelReason: (row.cancelReason as CancelReason | null) ?? null,
    refusedLines: (row.refusedLines as RefusedLine[] | null) ?? null,
    reservationExpiresAt: row.reservationExpiresAt.getTime(),
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
    ...(history && { history: history.map(transitionOf) }),
  }
}
