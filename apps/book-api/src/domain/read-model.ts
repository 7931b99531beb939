import { books, type Database } from '@bookstore/db'
import { bookKey } from '@bookstore/events'
import type { RedisClient } from '@bookstore/service-kit'
import { asc, gt, inArray } from 'drizzle-orm'
import { type BookRow, toReadModel } from './book-view'
import type { Transaction } from './transaction'

/**
 * Writes the read model (SPEC B2) of these books in one pipeline; on a Redis Cluster (where a
 * pipeline stays in one slot and every book has its own) as concurrent writes.
 */
export async function writeReadModels(redis: RedisClient, rows: BookRow[]): Promise<void> {
  if (rows.length === 0) return
  if (redis.isCluster) {
    await Promise.all(rows.map((row) => redis.hset(bookKey(row.id), { ...toReadModel(row) })))
    return
  }
  const pipeline = redis.pipeline()
  for (const row of rows) pipeline.hset(bookKey(row.id), { ...toReadModel(row) })
  const results = await pipeline.exec()
  const failed = results?.find(([error]) => error)
  if (failed?.[0]) throw failed[0]
}

/** The current rows of these books, to write their read model from the newest state. */
export const currentRows = (db: Pick<Database, 'select'>, bookIds: string[]) =>
  bookIds.length === 0 ? Promise.resolve([]) : db.select().from(books).where(inArray(books.id, bookIds))

/**
 * Rewrites the read model of every book (deleted ones included, as 'deleted') from PostgreSQL, in
 * pages. `underRelayLock` runs each page under the relay's lock, so a page never writes a state
 * older than one the relay has just written.
 */
export async function rebuildReadModel(
  redis: RedisClient,
  underRelayLock: <T>(work: (tx: Transaction) => Promise<T>) => Promise<T | undefined>,
  pageSize = 500,
): Promise<number> {
  let after = ''
  let written = 0
  for (;;) {
    const page = await underRelayLock(async (tx) => {
      const rows = await tx
        .select()
        .from(books)
        .where(gt(books.id, after))
        .orderBy(asc(books.id))
        .limit(pageSize)
      await writeReadModels(redis, rows)
      return rows
    })
    if (!page) return written
    written += page.length
    if (page.length < pageSize) return written
    after = page.at(-1)?.id ?? after
  }
}
