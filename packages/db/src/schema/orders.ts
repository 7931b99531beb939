import { sql } from 'drizzle-orm'
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'

/**
 * Orders (SPEC O1-O3), owned by order-api. `status` only ever changes by a compare-and-set on its
 * current value (`where status = <seen>`), each one a row in `order_history` in the same
 * transaction, and `revision` counts those transitions. The saga's own progress is in
 * `reservation` (book-api's answers) and `payment` (the provider's); `cart_cleared_at` and
 * `email_enqueued_at` mark the after-effects of a confirmation as done. One order per
 * (user, Idempotency-Key): a retried checkout finds the order it made.
 */
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    cartVersion: bigint('cart_version', { mode: 'number' }).notNull(),
    status: text('status').notNull(),
    revision: integer('revision').notNull().default(1),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull(),
    itemCount: integer('item_count').notNull(),
    currency: text('currency').notNull().default('USD'),
    /** requested, held, refused, committing, committed, releasing, released (docs/orders.md). */
    reservation: text('reservation').notNull().default('requested'),
    reservationExpiresAt: timestamp('reservation_expires_at', { withTimezone: true }).notNull(),
    payment: text('payment').notNull().default('none'),
    /** The provider's reference of the authorization (its capture, void and refund name it too). */
    paymentReference: text('payment_reference'),
    cancelReason: text('cancel_reason'),
    refusedLines: jsonb('refused_lines'),
    cartClearedAt: timestamp('cart_cleared_at', { withTimezone: true }),
    emailEnqueuedAt: timestamp('email_enqueued_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('orders_user_idempotency_idx').on(table.userId, table.idempotencyKey),
    index('orders_user_created_idx').on(table.userId, table.createdAt),
    index('orders_status_created_idx').on(table.status, table.createdAt),
    check(
      'orders_status_check',
      sql`${table.status} in ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')`,
    ),
    check('orders_total_check', sql`${table.totalCents} >= 0`),
  ],
)

export const orderLines = pgTable(
  'order_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    bookId: text('book_id').notNull(),
    title: text('title').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
    quantity: integer('quantity').notNull(),
    /** The line's place in the cart, so the order lists its lines as the cart did. */
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.bookId] }),
    check('order_lines_quantity_check', sql`${table.quantity} > 0`),
    check('order_lines_price_check', sql`${table.unitPriceCents} >= 0`),
  ],
)

/** Every transition of every order, oldest first (SPEC O2: history for the shopper, admin view). */
export const orderHistory = pgTable(
  'order_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    /** `shopper`, `admin` or `system`. */
    actor: text('actor').notNull(),
    actorId: text('actor_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('order_history_order_idx').on(table.orderId, table.id)],
)
