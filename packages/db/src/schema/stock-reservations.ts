import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Stock holds (SPEC O1), owned by book-api: one row per order, written in the same transaction as
 * the stock it takes from `books.stock` (which is what is left to sell, so its CHECK >= 0 is the
 * last word against overselling). `held` until committed (sold), released (given back: cancelled,
 * expired) or, when the stock was short, `refused` with the short lines. A release that comes
 * before its reserve writes a `released` row, so the late reserve is refused: every step is
 * idempotent by order id.
 */
export const stockReservations = pgTable(
  'stock_reservations',
  {
    orderId: text('order_id').primaryKey(),
    status: text('status').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    refusedLines: jsonb('refused_lines'),
    releaseReason: text('release_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check(
      'stock_reservations_status_check',
      sql`${table.status} in ('held', 'refused', 'committed', 'released')`,
    ),
    // The expiry sweep reads only live holds.
    index('stock_reservations_held_idx').on(table.expiresAt).where(sql`${table.status} = 'held'`),
  ],
)

/** The quantities of one reservation, summed per book. */
export const stockReservationLines = pgTable(
  'stock_reservation_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => stockReservations.orderId, { onDelete: 'cascade' }),
    bookId: text('book_id').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.bookId] }),
    check('stock_reservation_lines_quantity_check', sql`${table.quantity} > 0`),
  ],
)
