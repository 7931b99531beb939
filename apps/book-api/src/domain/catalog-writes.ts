import { bookCategories, books, catalogOutbox, categories, type Database } from '@bookstore/db'
import type { CatalogEvent, CatalogEventType } from '@bookstore/events'
import { and, eq, inArray, isNull } from 'drizzle-orm'
import {
  bookExists,
  bookNotFound,
  categoryExists,
  stockWouldGoNegative,
  unknownCategories,
} from './book-errors'
import { type BookRow, type BookView, catalogState, toBookView } from './book-view'
import type { Transaction } from './transaction'

export interface NewBook {
  id: string
  title: string
  author: string
  description?: string | undefined
  priceCents: number
  stock: number
  publishedOn?: string | null | undefined
  categories?: string[] | undefined
}

export type BookPatch = Partial<Omit<NewBook, 'id' | 'stock'>>

async function checkCategories(tx: Transaction, categoryIds: string[]) {
  if (categoryIds.length === 0) return
  const found = await tx
    .select({ id: categories.id })
    .from(categories)
    .where(inArray(categories.id, categoryIds))
  const known = new Set(found.map((row) => row.id))
  const missing = categoryIds.filter((id) => !known.has(id))
  if (missing.length > 0) throw unknownCategories(missing)
}

async function setCategories(tx: Transaction, bookId: string, categoryIds: string[]) {
  await tx.delete(bookCategories).where(eq(bookCategories.bookId, bookId))
  if (categoryIds.length > 0)
    await tx.insert(bookCategories).values(categoryIds.map((categoryId) => ({ bookId, categoryId })))
}

async function categoriesOf(tx: Transaction, bookId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: bookCategories.categoryId })
    .from(bookCategories)
    .where(eq(bookCategories.bookId, bookId))
    .orderBy(bookCategories.categoryId)
  return rows.map((row) => row.id)
}

/** The outbox row of a change: written in the same transaction as the change (SPEC B3-B5). */
export async function recordEvent(
  tx: Transaction,
  type: CatalogEventType,
  before: BookRow | null,
  after: BookRow,
) {
  const payload: Omit<CatalogEvent, 'eventId'> = {
    type,
    bookId: after.id,
    bookVersion: after.version,
    occurredAt: after.updatedAt.getTime(),
    before: before ? catalogState(before) : null,
    after: catalogState(after),
  }
  await tx.insert(catalogOutbox).values({ bookId: after.id, type, payload })
}

/** The live (not deleted) book, locked until the transaction ends: changes of one book queue up. */
async function lockBook(tx: Transaction, bookId: string): Promise<BookRow> {
  const [row] = await tx
    .select()
    .from(books)
    .where(and(eq(books.id, bookId), isNull(books.deletedAt)))
    .for('update')
  if (!row) throw bookNotFound(bookId)
  return row
}

/**
 * The admin's catalog changes (SPEC B1). Each is ONE transaction holding the book change and its
 * outbox row, so the change and its event never part ways; `onCommitted` wakes the relay.
 */
export function createCatalogWrites(db: Database, onCommitted: () => Promise<void>) {
  async function write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const result = await db.transaction(work)
    await onCommitted()
    return result
  }

  async function change(
    bookId: string,
    type: CatalogEventType,
    apply: (row: BookRow) => Partial<BookRow>,
    categoryIds?: string[],
  ): Promise<BookView> {
    return write(async (tx) => {
      const before = await lockBook(tx, bookId)
      const changes = apply(before)
      if (categoryIds) await checkCategories(tx, categoryIds)
      const [after] = await tx
        .update(books)
        .set({ ...changes, version: before.version + 1, updatedAt: new Date() })
        .where(eq(books.id, bookId))
        .returning()
      if (!after) throw bookNotFound(bookId)
      if (categoryIds) await setCategories(tx, bookId, categoryIds)
      await recordEvent(tx, type, before, after)
      return toBookView(after, await categoriesOf(tx, bookId))
    })
  }

  return {
    create(input: NewBook): Promise<BookView> {
      return write(async (tx) => {
        const categoryIds = [...new Set(input.categories ?? [])]
        await checkCategories(tx, categoryIds)
        const [row] = await tx
          .insert(books)
          .values({
            id: input.id,
            title: input.title,
            author: input.author,
            description: input.description ?? '',
            priceCents: input.priceCents,
            stock: input.stock,
            publishedOn: input.publishedOn ?? null,
          })
          .onConflictDoNothing()
          .returning()
        if (!row) throw bookExists(input.id)
        await setCategories(tx, row.id, categoryIds)
        await recordEvent(tx, 'book.created', null, row)
        return toBookView(row, categoryIds.sort())
      })
    },

    update(bookId: string, patch: BookPatch): Promise<BookView> {
      const { categories: categoryIds, ...fields } = patch
      return change(bookId, 'book.updated', () => fields, categoryIds ? [...new Set(categoryIds)] : undefined)
    },

    async remove(bookId: string): Promise<void> {
      await change(bookId, 'book.deleted', () => ({ deletedAt: new Date() }))
    },

    setStock(bookId: string, stock: number): Promise<BookView> {
      return change(bookId, 'book.stock-changed', () => ({ stock }))
    },

    adjustStock(bookId: string, delta: number): Promise<BookView> {
      return change(bookId, 'book.stock-changed', (row) => {
        if (row.stock + delta < 0) throw stockWouldGoNegative(row.stock, delta)
        return { stock: row.stock + delta }
      })
    },

    async createCategory(id: string, name: string) {
      const [row] = await db.insert(categories).values({ id, name }).onConflictDoNothing().returning()
      if (!row) throw categoryExists(id)
      return row
    },
  }
}
export type CatalogWrites = ReturnType<typeof createCatalogWrites>
