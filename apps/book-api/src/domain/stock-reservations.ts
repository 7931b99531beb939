import { books, type Database, stockReservationLines, stockReservations } from '@bookstore/db'
import type { RefusedLine, ReservationStatus, StockLine } from '@bookstore/events'
import { and, asc, count, eq, inArray, lte, sql } from 'drizzle-orm'
import type { BookRow } from './book-view'
import { recordEvent } from './catalog-writes'
import type { Transaction } from './transaction'

export interface StockReservationDeps {
  db: Database
  /** Wakes the outbox relay after a transaction that changed stock (read model, carts). */
  onStockChanged: () => Promise<void>
  now?: () => Date
}

export interface ReservationOutcome {
  status: ReservationStatus
  refusedLines?: RefusedLine[]
}

/** Quantities summed per book, in book-id order: the order every transaction locks books in. */
export function sumPerBook(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>()
  for (const line of lines) totals.set(line.bookId, (totals.get(line.bookId) ?? 0) + line.quantity)
  return [...totals]
    .map(([bookId, quantity]) => ({ bookId, quantity }))
    .sort((a, b) => (a.bookId < b.bookId ? -1 : a.bookId > b.bookId ? 1 : 0))
}

/**
 * These books locked until the transaction ends, in id order: two orders sharing books lock them in
 * the same order, so they queue up instead of deadlocking.
 */
const lockBooks = (tx: Transaction, bookIds: string[]) =>
  tx.select().from(books).where(inArray(books.id, bookIds)).orderBy(asc(books.id)).for('update')

/** Moves the stock of locked books by `delta` per line, each change with its outbox row (SPEC B5). */
async function moveStock(tx: Transaction, locked: BookRow[], lines: StockLine[], sign: 1 | -1, at: Date) {
  const byId = new Map(locked.map((row) => [row.id, row]))
  for (const line of lines) {
    const before = byId.get(line.bookId)
    if (!before) continue
    const [after] = await tx
      .update(books)
      .set({
        stock: sql`${books.stock} + ${sign * line.quantity}`,
        version: before.version + 1,
        updatedAt: at,
      })
      .where(eq(books.id, line.bookId))
      .returning()
    if (after) await recordEvent(tx, 'book.stock-changed', before, after)
  }
}

const lockReservation = async (tx: Transaction, orderId: string) => {
  const [row] = await tx
    .select()
    .from(stockReservations)
    .where(eq(stockReservations.orderId, orderId))
    .for('update')
  return row
}

const outcomeOf = (row: typeof stockReservations.$inferSelect): ReservationOutcome => ({
  status: row.status as ReservationStatus,
  ...(row.refusedLines ? { refusedLines: row.refusedLines as RefusedLine[] } : {}),
})

/**
 * book-api's side of the checkout saga (SPEC O1, docs/orders.md). Every step is ONE transaction
 * and idempotent by order id: a step run again (a retried or taken-over job) finds the row its
 * first run wrote and answers the same. `books.stock` is the stock left to sell: a hold takes
 * from it at once (so the read model and carts see it through the outbox, as any stock change),
 * and its CHECK (stock >= 0) would stop an oversell even if a check here were wrong.
 */
export function createStockReservations(deps: StockReservationDeps) {
  const now = deps.now ?? (() => new Date())

  async function write<T>(work: (tx: Transaction) => Promise<{ result: T; stockChanged: boolean }>) {
    const { result, stockChanged } = await deps.db.transaction(work)
    if (stockChanged) await deps.onStockChanged()
    return result
  }

  /** Gives the stock of a held or sold reservation back; the row becomes `released`. */
  async function releaseLocked(tx: Transaction, orderId: string, reason: string, at: Date) {
    const lines = await tx
      .select({ bookId: stockReservationLines.bookId, quantity: stockReservationLines.quantity })
      .from(stockReservationLines)
      .where(eq(stockReservationLines.orderId, orderId))
    const summed = sumPerBook(lines)
    const locked = await lockBooks(
      tx,
      summed.map((line) => line.bookId),
    )
    await moveStock(tx, locked, summed, 1, at)
    await tx
      .update(stockReservations)
      .set({ status: 'released', releaseReason: reason, updatedAt: at })
      .where(eq(stockReservations.orderId, orderId))
  }

  return {
    /**
     * Holds every line or none until `expiresAt`. Refused (nothing taken) when a book is deleted,
     * unknown or short of stock, naming each such line with what is left.
     */
    reserve(orderId: string, lines: readonly StockLine[], expiresAt: Date): Promise<ReservationOutcome> {
      return write(async (tx) => {
        const existing = await lockReservation(tx, orderId)
        if (existing) return { result: outcomeOf(existing), stockChanged: false }
        const at = now()
        if (expiresAt <= at) {
          // Came too late (a backlog, a long outage): the order is past its hold already.
          await tx
            .insert(stockReservations)
            .values({ orderId, status: 'released', expiresAt, releaseReason: 'expired', updatedAt: at })
          return { result: { status: 'released' }, stockChanged: false }
        }
        const summed = sumPerBook(lines)
        const locked = await lockBooks(
          tx,
          summed.map((line) => line.bookId),
        )
        const byId = new Map(locked.map((row) => [row.id, row]))
        const refusedLines: RefusedLine[] = []
        for (const line of summed) {
          const book = byId.get(line.bookId)
          if (!book || book.deletedAt)
            refusedLines.push({ bookId: line.bookId, requested: line.quantity, available: 0, deleted: true })
          else if (book.stock < line.quantity)
            refusedLines.push({ bookId: line.bookId, requested: line.quantity, available: book.stock })
        }
        if (refusedLines.length > 0) {
          await tx
            .insert(stockReservations)
            .values({ orderId, status: 'refused', expiresAt, refusedLines, updatedAt: at })
          return { result: { status: 'refused', refusedLines }, stockChanged: false }
        }
        await moveStock(tx, locked, summed, -1, at)
        await tx.insert(stockReservations).values({ orderId, status: 'held', expiresAt, updatedAt: at })
        await tx.insert(stockReservationLines).values(summed.map((line) => ({ orderId, ...line })))
        return { result: { status: 'held' }, stockChanged: true }
      })
    },

    /** The hold becomes sold stock; one past its expiry is released instead (and says so). */
    commit(orderId: string): Promise<ReservationOutcome> {
      return write(async (tx) => {
        const row = await lockReservation(tx, orderId)
        if (!row) return { result: { status: 'released' }, stockChanged: false }
        if (row.status !== 'held') return { result: outcomeOf(row), stockChanged: false }
        const at = now()
        if (row.expiresAt <= at) {
          await releaseLocked(tx, orderId, 'expired', at)
          return { result: { status: 'released' }, stockChanged: true }
        }
        await tx
          .update(stockReservations)
          .set({ status: 'committed', updatedAt: at })
          .where(eq(stockReservations.orderId, orderId))
        return { result: { status: 'committed' }, stockChanged: false }
      })
    },

    /**
     * Gives a held or sold reservation's stock back. For an order never reserved it writes a
     * released row first, so a reserve arriving later holds nothing.
     */
    release(orderId: string, reason: string): Promise<ReservationOutcome> {
      return write(async (tx) => {
        const at = now()
        const row = await lockReservation(tx, orderId)
        if (!row) {
          await tx
            .insert(stockReservations)
            .values({ orderId, status: 'released', expiresAt: at, releaseReason: reason, updatedAt: at })
          return { result: { status: 'released' }, stockChanged: false }
        }
        if (row.status !== 'held' && row.status !== 'committed')
          return { result: outcomeOf(row), stockChanged: false }
        await releaseLocked(tx, orderId, reason, at)
        return { result: { status: 'released' }, stockChanged: true }
      })
    },

    /** Releases holds past their expiry, oldest first, one transaction each; returns their orders. */
    async expireHolds(limit: number): Promise<string[]> {
      const due = await deps.db
        .select({ orderId: stockReservations.orderId })
        .from(stockReservations)
        .where(and(eq(stockReservations.status, 'held'), lte(stockReservations.expiresAt, now())))
        .orderBy(asc(stockReservations.expiresAt))
        .limit(limit)
      const expired: string[] = []
      for (const { orderId } of due) {
        const released = await write(async (tx) => {
          const row = await lockReservation(tx, orderId)
          // Committed or released meanwhile, or no longer due: not this sweep's.
          if (row?.status !== 'held' || row.expiresAt > now()) return { result: false, stockChanged: false }
          await releaseLocked(tx, orderId, 'expired', now())
          return { result: true, stockChanged: true }
        })
        if (released) expired.push(orderId)
      }
      return expired
    },

    /** Holds not yet committed nor released (the `stock_holds` gauge). */
    async heldCount(): Promise<number> {
      const [row] = await deps.db
        .select({ value: count() })
        .from(stockReservations)
        .where(eq(stockReservations.status, 'held'))
      return row?.value ?? 0
    },
  }
}
export type StockReservations = ReturnType<typeof createStockReservations>
