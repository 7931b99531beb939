import { books, stockReservations } from '@bookstore/db'
import { openTestDatabase, type TestDatabase, uniqueId } from '@bookstore/test-kit'
import { eq, inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStockReservations, sumPerBook } from '../src/domain/stock-reservations'

let database: TestDatabase
let wakes = 0
let clock = Date.now()
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database?.drop()
})

const reservations = () =>
  createStockReservations({
    db: database.db,
    onStockChanged: async () => {
      wakes++
    },
    now: () => new Date(clock),
  })

async function book(stock: number) {
  const id = uniqueId('book')
  await database.db
    .insert(books)
    .values({ id, title: 'Dune', author: 'Frank Herbert', priceCents: 1250, stock })
  return id
}
const stockOf = async (id: string) =>
  (await database.db.select({ stock: books.stock }).from(books).where(eq(books.id, id)))[0]?.stock
const later = (ms: number) => new Date(clock + ms)

describe("book-api's stock reservations (SPEC O1)", () => {
  it('sums lines of one book before checking: two lines of 2 do not fit in 3 copies', async () => {
    const id = await book(3)
    const outcome = await reservations().reserve(
      uniqueId('order'),
      [
        { bookId: id, quantity: 2 },
        { bookId: id, quantity: 2 },
      ],
      later(60_000),
    )
    expect(outcome).toEqual({ status: 'refused', refusedLines: [{ bookId: id, requested: 4, available: 3 }] })
    expect(await stockOf(id)).toBe(3)
    expect(
      sumPerBook([
        { bookId: 'b', quantity: 1 },
        { bookId: 'a', quantity: 2 },
        { bookId: 'b', quantity: 3 },
      ]),
    ).toEqual([
      { bookId: 'a', quantity: 2 },
      { bookId: 'b', quantity: 4 },
    ])
  })

  it('holds all lines or none, once per order, and names every short or deleted line', async () => {
    const [plenty, short] = [await book(10), await book(1)]
    const store = reservations()
    const refused = await store.reserve(
      uniqueId('order'),
      [
        { bookId: plenty, quantity: 2 },
        { bookId: short, quantity: 2 },
        { bookId: 'book-that-is-not', quantity: 1 },
      ],
      later(60_000),
    )
    expect(refused.status).toBe('refused')
    expect(refused.refusedLines).toHaveLength(2)
    expect(refused.refusedLines).toEqual(
      expect.arrayContaining([
        { bookId: 'book-that-is-not', requested: 1, available: 0, deleted: true },
        { bookId: short, requested: 2, available: 1 },
      ]),
    )
    expect([await stockOf(plenty), await stockOf(short)]).toEqual([10, 1])

    const orderId = uniqueId('order')
    const before = wakes
    expect(await store.reserve(orderId, [{ bookId: plenty, quantity: 2 }], later(60_000))).toEqual({
      status: 'held',
    })
    expect(await store.reserve(orderId, [{ bookId: plenty, quantity: 2 }], later(60_000))).toEqual({
      status: 'held',
    })
    expect(await stockOf(plenty)).toBe(8)
    expect(wakes).toBe(before + 1)
    expect(await store.commit(orderId)).toEqual({ status: 'committed' })
    expect(await store.commit(orderId)).toEqual({ status: 'committed' })
    // A cancelled confirmed order gives its sold stock back, once.
    expect(await store.release(orderId, 'shopper')).toEqual({ status: 'released' })
    expect(await store.release(orderId, 'shopper')).toEqual({ status: 'released' })
    expect(await stockOf(plenty)).toBe(10)
  })

  it('concurrent orders over the same books in any line order neither deadlock nor oversell', async () => {
    const [a, b, c] = [await book(20), await book(20), await book(20)]
    const store = reservations()
    const orders = Array.from({ length: 30 }, (_, index) => ({
      orderId: uniqueId('order'),
      lines:
        index % 2 === 0
          ? [
              { bookId: a, quantity: 1 },
              { bookId: b, quantity: 1 },
              { bookId: c, quantity: 1 },
            ]
          : [
              { bookId: c, quantity: 1 },
              { bookId: b, quantity: 1 },
              { bookId: a, quantity: 1 },
            ],
    }))
    const outcomes = await Promise.all(
      orders.map((order) => store.reserve(order.orderId, order.lines, later(60_000))),
    )
    expect(outcomes.filter((outcome) => outcome.status === 'held')).toHaveLength(20)
    expect(outcomes.filter((outcome) => outcome.status === 'refused')).toHaveLength(10)
    expect([await stockOf(a), await stockOf(b), await stockOf(c)]).toEqual([0, 0, 0])
  })

  it('a release before its reserve refuses the late reserve; an expired hold is released by the sweep or on commit', async () => {
    const id = await book(5)
    const store = reservations()
    const early = uniqueId('order')
    expect(await store.release(early, 'shopper')).toEqual({ status: 'released' })
    expect(await store.reserve(early, [{ bookId: id, quantity: 1 }], later(60_000))).toEqual({
      status: 'released',
    })
    expect(await stockOf(id)).toBe(5)

    const [swept, committedLate] = [uniqueId('order'), uniqueId('order')]
    await store.reserve(swept, [{ bookId: id, quantity: 2 }], later(1000))
    await store.reserve(committedLate, [{ bookId: id, quantity: 2 }], later(1000))
    expect(await stockOf(id)).toBe(1)
    clock += 2000
    expect(await store.commit(committedLate)).toEqual({ status: 'released' })
    expect(await store.expireHolds(100)).toEqual([swept])
    expect(await stockOf(id)).toBe(5)
    const rows = await database.db
      .select()
      .from(stockReservations)
      .where(inArray(stockReservations.orderId, [swept, committedLate]))
    expect(rows.map((row) => [row.status, row.releaseReason])).toEqual([
      ['released', 'expired'],
      ['released', 'expired'],
    ])
    // A hold that came after its expiry holds nothing.
    expect(await store.reserve(uniqueId('order'), [{ bookId: id, quantity: 1 }], later(-1))).toEqual({
      status: 'released',
    })
    expect(await stockOf(id)).toBe(5)
  })

  it('leaves the last word to the database: stock never goes below 0', async () => {
    const id = await book(1)
    const refusal = await database.db
      .update(books)
      .set({ stock: -1 })
      .where(eq(books.id, id))
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(String((refusal as { cause?: unknown } | undefined)?.cause)).toMatch(/books_stock_check/)
    expect(await stockOf(id)).toBe(1)
  })
})
