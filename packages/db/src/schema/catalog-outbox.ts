import { sql } from 'drizzle-orm'
import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Catalog events waiting to be relayed (SPEC B3-B5): book-api writes a row in the same transaction
 * as the book change, and its relay moves it to the catalog events queue, then marks it published.
 * A crash anywhere in between leaves the row unpublished, so it is relayed again after the restart
 * (the queue's job id is the row id, so a second relay of the same row adds nothing).
 */
export const catalogOutbox = pgTable(
  'catalog_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookId: text('book_id').notNull(),
    type: text('type').notNull(),
    /** The catalog event without its id (the events package's CatalogEvent). */
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (table) => [index('catalog_outbox_pending_idx').on(table.id).where(sql`${table.publishedAt} is null`)],
)
