import { bigint, boolean, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * The durable copy of each cart (SPEC P1-P3). Redis is the primary store; a row here is written
 * only by the persistence worker and only when its version is newer than the stored one (P2).
 */
export const carts = pgTable(
  'carts',
  {
    userId: text('user_id').primaryKey(),
    version: bigint('version', { mode: 'number' }).notNull(),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull().default(0),
    itemCount: integer('item_count').notNull().default(0),
    /** When the shopper last changed the cart (from Redis): drives abandoned-cart reminders (S1). */
    updatedAt: timestamp('updated_at', { withTimezone: true }),
    /** When this row was last written: persistence lag and reconciliation read it. */
    persistedAt: timestamp('persisted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('carts_updated_at_idx').on(table.updatedAt)],
)

export const cartItems = pgTable(
  'cart_items',
  {
    userId: text('user_id')
      .notNull()
      .references(() => carts.userId, { onDelete: 'cascade' }),
    bookId: text('book_id').notNull(),
    title: text('title').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
    quantity: integer('quantity').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull(),
    // What catalog propagation set on the line (SPEC B3-B5); kept so a restored cart (C5) still
    // shows "was X, now Y" and still refuses flagged lines at checkout. Null: not set.
    previousUnitPriceCents: integer('previous_unit_price_cents'),
    outOfStock: boolean('out_of_stock'),
    availableStock: integer('available_stock'),
    bookVersion: integer('book_version'),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.bookId] }),
    // Catalog propagation finds every cart holding a book (SPEC B3-B5).
    index('cart_items_book_id_idx').on(table.bookId),
  ],
)

export * from './schema/books'
export * from './schema/cart-reminders'
export * from './schema/catalog-outbox'
export * from './schema/orders'
export * from './schema/refresh-tokens'
export * from './schema/stock-reservations'
export * from './schema/users'
