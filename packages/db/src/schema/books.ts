import { sql } from 'drizzle-orm'
import { check, date, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * The text a book is found by: title, author and description, weighted in that order. One SQL
 * expression shared by the GIN index and the search query, so the planner uses the index; the
 * built-in 'english' configuration works on PostgreSQL and PGlite alike (no extension).
 */
export const bookSearchDocument = sql`(setweight(to_tsvector('english', "books"."title"), 'A') || setweight(to_tsvector('english', "books"."author"), 'B') || setweight(to_tsvector('english', "books"."description"), 'C'))`

/**
 * The catalog (SPEC B1), owned by book-api. The id ends up in Redis keys (the book read model, the
 * cart lines), so it must pass the events package's id rule. Deleting is soft (`deleted_at`), so
 * old carts and orders can still name the book. `version` grows by one with every change and
 * travels with every catalog event, so consumers can ignore older states.
 */
export const books = pgTable(
  'books',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    author: text('author').notNull(),
    description: text('description').notNull().default(''),
    priceCents: integer('price_cents').notNull(),
    stock: integer('stock').notNull().default(0),
    publishedOn: date('published_on', { mode: 'string' }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (table) => [
    check('books_price_check', sql`${table.priceCents} >= 0`),
    check('books_stock_check', sql`${table.stock} >= 0`),
    index('books_search_idx').using('gin', bookSearchDocument),
    index('books_author_idx').on(sql`lower(${table.author})`),
    index('books_price_idx').on(table.priceCents, table.id),
    index('books_title_idx').on(table.title, table.id),
  ],
)

export const categories = pgTable('categories', {
  /** A slug, e.g. `science-fiction`: it appears in URLs (`?category=science-fiction`). */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
})

export const bookCategories = pgTable(
  'book_categories',
  {
    bookId: text('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    categoryId: text('category_id')
      .notNull()
      .references(() => categories.id, { onDelete: 'restrict' }),
  },
  (table) => [
    primaryKey({ columns: [table.bookId, table.categoryId] }),
    index('book_categories_category_idx').on(table.categoryId, table.bookId),
  ],
)
