import { type Static, Type } from 'typebox'
import { BookId, ID_PATTERN, UserId } from './ids'

const EpochMs = Type.Integer({ minimum: 0, description: 'Unix epoch milliseconds' })

/** An order id: `order-<uuid>`; it ends up in keys and job ids, so it passes the id rule. */
export const OrderId = Type.String({ pattern: ID_PATTERN, description: 'Order id' })

export const OrderStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('confirmed'),
  Type.Literal('shipped'),
  Type.Literal('delivered'),
  Type.Literal('cancelled'),
])
export type OrderStatus = Static<typeof OrderStatus>

/** Why an order was cancelled (SPEC O2): who or what ended it. */
export const CancelReason = Type.Union([
  Type.Literal('shopper'),
  Type.Literal('admin'),
  Type.Literal('stock-refused'),
  Type.Literal('payment-declined'),
  Type.Literal('reservation-expired'),
])
export type CancelReason = Static<typeof CancelReason>

/** Where the payment of an order stands at the provider (SPEC O3). */
export const PaymentStatus = Type.Union([
  Type.Literal('none'),
  Type.Literal('authorized'),
  Type.Literal('declined'),
  Type.Literal('captured'),
  Type.Literal('voided'),
  Type.Literal('refunded'),
])
export type PaymentStatus = Static<typeof PaymentStatus>

/** One line of an order: the cart line at the version checked out, at the cart's price. */
export const OrderLine = Type.Object({
  bookId: BookId,
  title: Type.String(),
  unitPriceCents: Type.Integer({ minimum: 0 }),
  quantity: Type.Integer({ minimum: 1 }),
  lineTotalCents: Type.Integer({ minimum: 0 }),
})
export type OrderLine = Static<typeof OrderLine>

/** A line stock was refused for: how many were asked and how many the book had left. */
export const RefusedLine = Type.Object({
  bookId: BookId,
  requested: Type.Integer({ minimum: 1 }),
  available: Type.Integer({ minimum: 0 }),
  /** The book was deleted (or is unknown to the catalog). */
  deleted: Type.Optional(Type.Boolean()),
})
export type RefusedLine = Static<typeof RefusedLine>

/** One transition of an order, as its history keeps it. */
export const OrderTransition = Type.Object({
  from: Type.Union([OrderStatus, Type.Null()]),
  to: OrderStatus,
  reason: Type.Union([Type.String(), Type.Null()]),
  /** `shopper`, `admin` or `system` (the saga). */
  actor: Type.String(),
  at: EpochMs,
})
export type OrderTransition = Static<typeof OrderTransition>

/** An order as the API answers it and as its events carry it (SPEC O1-O3). */
export const Order = Type.Object({
  id: OrderId,
  userId: UserId,
  status: OrderStatus,
  /** Grows by one with every transition: a client keeps the highest it has seen. */
  revision: Type.Integer({ minimum: 1 }),
  cartVersion: Type.Integer({ minimum: 1 }),
  lines: Type.Array(OrderLine),
  totalCents: Type.Integer({ minimum: 0 }),
  itemCount: Type.Integer({ minimum: 1 }),
  currency: Type.Literal('USD'),
  payment: PaymentStatus,
  cancelReason: Type.Union([CancelReason, Type.Null()]),
  /** Set when the reservation was refused: the lines that had too little stock. */
  refusedLines: Type.Union([Type.Array(RefusedLine), Type.Null()]),
  /** Until when the stock is held for the order while it is pending. */
  reservationExpiresAt: EpochMs,
  createdAt: EpochMs,
  updatedAt: EpochMs,
  history: Type.Optional(Type.Array(OrderTransition)),
})
export type Order = Static<typeof Order>

/** A page of orders, newest first (GET /orders, GET /admin/orders): order-api and the web shop read it. */
export const OrderPage = Type.Object({
  items: Type.Array(Order),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  totalItems: Type.Integer(),
  totalPages: Type.Integer(),
})
export type OrderPage = Static<typeof OrderPage>

/**
 * Published (SPUBLISH) on `orderEventsChannel(userId)` after every committed transition, for the
 * shopper's sockets (SPEC O2). It is a notification: the order's history in PostgreSQL is the
 * truth, and a client that was away reads the order again.
 */
export const OrderChangedEvent = Type.Object({
  type: Type.Literal('order.changed'),
  order: Order,
  from: Type.Union([OrderStatus, Type.Null()]),
})
export type OrderChangedEvent = Static<typeof OrderChangedEvent>

/** The shopper's sharded order channel: hash-tagged like `cart-events:{u}`, in the user's slot. */
export const orderEventsChannel = (userId: string) => `order-events:{${userId}}`

// ---------------------------------------------------------------------------------------------
// The saga's queues (docs/orders.md)

export const orderQueueNames = {
  /** Consumed by book-api: reserve, commit and release stock holds, sweep expired ones. */
  stockReservations: '{stock-reservations}',
  stockReservationsDeadLetter: '{stock-reservations-dlq}',
  /** Consumed by order-api: the answers of book-api, and the order sweep. */
  orderSaga: '{order-saga}',
  orderSagaDeadLetter: '{order-saga-dlq}',
} as const

/** A line to hold: lines of one book are summed by book-api before it locks anything. */
export const StockLine = Type.Object({
  bookId: BookId,
  quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
})
export type StockLine = Static<typeof StockLine>

/** Hold these quantities for the order until `expiresAt`: all lines or none (idempotent by order id). */
export const ReserveStockJob = Type.Object({
  kind: Type.Literal('reserve'),
  orderId: OrderId,
  lines: Type.Array(StockLine, { minItems: 1, maxItems: 500 }),
  expiresAt: EpochMs,
})
/** Turn the order's hold into sold stock, unless it was released (expired) first. */
export const CommitStockJob = Type.Object({ kind: Type.Literal('commit'), orderId: OrderId })
/** Give the order's stock back (held or sold); for an order never reserved, refuse any later reserve. */
export const ReleaseStockJob = Type.Object({
  kind: Type.Literal('release'),
  orderId: OrderId,
  reason: Type.String({ maxLength: 100 }),
})
/** Release every hold past its expiry (the scheduler enqueues it). */
export const ExpireHoldsJob = Type.Object({ kind: Type.Literal('expire-holds') })
export type ExpireHoldsJob = Static<typeof ExpireHoldsJob>

export const StockReservationJob = Type.Union([
  ReserveStockJob,
  CommitStockJob,
  ReleaseStockJob,
  ExpireHoldsJob,
])
export type StockReservationJob = Static<typeof StockReservationJob>

/** What a reservation of book-api is: its answers on the saga queue say which state it reached. */
export const ReservationStatus = Type.Union([
  Type.Literal('held'),
  Type.Literal('refused'),
  Type.Literal('committed'),
  Type.Literal('released'),
])
export type ReservationStatus = Static<typeof ReservationStatus>

/** book-api's answer to a reserve, commit or release job, or an expiry (on `{order-saga}`). */
export const StockResultJob = Type.Object({
  kind: Type.Literal('stock-result'),
  orderId: OrderId,
  step: Type.Union([
    Type.Literal('reserve'),
    Type.Literal('commit'),
    Type.Literal('release'),
    Type.Literal('expire'),
  ]),
  /** The reservation's state after the step. */
  status: ReservationStatus,
  refusedLines: Type.Optional(Type.Array(RefusedLine)),
})
export type StockResultJob = Static<typeof StockResultJob>

/** "Move this order on from whatever state it is in" (idempotent; enqueued after every change). */
export const AdvanceOrderJob = Type.Object({ kind: Type.Literal('advance'), orderId: OrderId })
/** Look for orders stuck past their expiry or with unfinished compensation (the scheduler enqueues it). */
export const SweepOrdersJob = Type.Object({ kind: Type.Literal('sweep-orders') })
export type SweepOrdersJob = Static<typeof SweepOrdersJob>

export const OrderSagaJob = Type.Union([StockResultJob, AdvanceOrderJob, SweepOrdersJob])
export type OrderSagaJob = Static<typeof OrderSagaJob>

/** Job ids: one per step and order, so a step enqueued twice while the first is queued is one job. */
export const stockJobId = (kind: 'reserve' | 'commit' | 'release', orderId: string) => `${kind}-${orderId}`
export const stockResultJobId = (step: StockResultJob['step'], orderId: string) => `${step}-result-${orderId}`

/** A saga job's `kind` as a metric label (anything else is `invalid`: labels stay a small set). */
export const sagaJobLabel = (data: unknown): string => {
  const kind = (data as { kind?: unknown } | null)?.kind
  return typeof kind === 'string' && /^[a-z-]{1,20}$/.test(kind) ? kind : 'invalid'
}
