import { bookCategories, bookSearchDocument, books, categories, type Database } from '@bookstore/db'
import type { BookSort } from '@bookstore/events'
import { and, asc, count, desc, eq, gt, gte, ilike, inArray, isNull, lte, type SQL, sql } from 'drizzle-orm'
import { bookError, bookNotFound } from './book-errors'
import { type BookView, toBookView } from './book-view'

export interface BookQuery {
  q?: string | undefined
  category?: string | undefined
  author?: string | undefined
  minPriceCents?: number | undefined
  maxPriceCents?: number | undefined
  inStock?: boolean | undefined
  sort?: BookSort | undefined
  page: number
  pageSize: number
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`)

/** The public catalog (SPEC B1): filters, full-text search and page-numbered pagination. */
export function createCatalogReads(db: Database) {
  async function categoriesByBook(bookIds: string[]): Promise<Map<string, string[]>> {
    const byBook = new Map<string, string[]>(bookIds.map((id) => [id, []]))
    if (bookIds.length === 0) return byBook
    const rows = await db
      .select()
      .from(bookCategories)
      .where(inArray(bookCategories.bookId, bookIds))
      .orderBy(bookCategories.categoryId)
    for (const row of rows) byBook.get(row.bookId)?.push(row.categoryId)
    return byBook
  }

  return {
    async list(query: BookQuery) {
      const { minPriceCents: min, maxPriceCents: max } = query
      if (min !== undefined && max !== undefined && min > max)
        throw bookError('PRICE_RANGE_INVALID', 'minPriceCents must not be above maxPriceCents', { min, max })
      const search = query.q?.trim() ? sql`websearch_to_tsquery('english', ${query.q.trim()})` : undefined
      if (query.sort === 'relevance' && !search)
        throw bookError('SORT_NEEDS_QUERY', 'sort=relevance needs a search text (q)')
      const conditions: (SQL | undefined)[] = [
        isNull(books.deletedAt),
        search && sql`${bookSearchDocument} @@ ${search}`,
        query.category
          ? sql`exists (select 1 from ${bookCategories} where ${bookCategories.bookId} = ${books.id} and ${bookCategories.categoryId} = ${query.category})`
          : undefined,
        query.author ? ilike(books.author, `%${escapeLike(query.author)}%`) : undefined,
        min !== undefined ? gte(books.priceCents, min) : undefined,
        max !== undefined ? lte(books.priceCents, max) : undefined,
        query.inStock === true
          ? gt(books.stock, 0)
          : query.inStock === false
            ? eq(books.stock, 0)
            : undefined,
      ]
      const where = and(...conditions)
      const sort = query.sort ?? (search ? 'relevance' : 'title')
      const orderBy = {
        relevance: [desc(sql`ts_rank(${bookSearchDocument}, ${search})`), asc(books.id)],
        title: [asc(books.title), asc(books.id)],
        'price-asc': [asc(books.priceCents), asc(books.id)],
        'price-desc': [desc(books.priceCents), asc(books.id)],
        newest: [sql`${books.publishedOn} desc nulls last`, asc(books.id)],
      }[sort]
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(books)
          .where(where)
          .orderBy(...orderBy)
          .limit(query.pageSize)
          .offset((query.page - 1) * query.pageSize),
        db.select({ value: count() }).from(books).where(where),
      ])
      const byBook = await categoriesByBook(rows.map((row) => row.id))
      const totalItems = total?.value ?? 0
      return {
        items: rows.map((row) => toBookView(row, byBook.get(row.id) ?? [])),
        page: query.page,
        pageSize: query.pageSize,
        totalItems,
        totalPages: Math.ceil(totalItems / query.pageSize),
      }
    },

    async get(bookId: string): Promise<BookView> {
      const [row] = await db
        .select()
        .from(books)
        .where(and(eq(books.id, bookId), isNull(books.deletedAt)))
      if (!row) throw bookNotFound(bookId)
      return toBookView(row, (await categoriesByBook([bookId])).get(bookId) ?? [])
    },

    categories() {
      return db.select().from(categories).orderBy(categories.name)
    },
  }
}
export type CatalogReads = ReturnType<typeof createCatalogReads>
