import { orders, stockReservations } from '@bookstore/db'
import { inArray } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { type OrderStack, type Shopper, startOrderStack, waitFor } from './harness'

// A killed process's job is taken over after this long (its lock is not renewed).
const STALLED_JOB_TIMEOUT_MS = '2000'
const survivors = {
  STALLED_JOB_TIMEOUT_MS,
  RESERVATION_TTL_SECONDS: '20',
  ORDER_EXPIRY_GRACE_MS: '500',
  SWEEP_STALE_MS: '1500',
}

let stack: OrderStack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

/** 30 shoppers over two books of 10 copies each, 1-3 copies of one or both: some are refused. */
async function shoppersOver(current: OrderStack) {
  const books = [await current.createBook({ stock: 10 }), await current.createBook({ stock: 10 })]
  const shoppers: (Shopper & { cartVersion: number; lines: [string, number][] })[] = []
  for (let index = 0; index < 30; index++) {
    const lines: [string, number][] = []
    if (index % 3 !== 1) lines.push([books[0]?.id ?? '', 1 + (index % 3)])
    if (index % 3 !== 0) lines.push([books[1]?.id ?? '', 1 + (index % 2)])
    shoppers.push({ ...(await current.shopperWith(lines)), lines })
  }
  return { books: books.map((book) => book.id), shoppers }
}

/** Every shopper checks out at once: the orders let in (some are refused at the door, stock held). */
async function checkOutAll(current: OrderStack, shoppers: (Shopper & { cartVersion: number })[]) {
  const answers = await Promise.all(shoppers.map((shopper) => current.checkout(shopper, shopper.cartVersion)))
  const orderIds = answers.filter((answer) => answer.status === 202).map((answer) => answer.body.id as string)
  expect(orderIds.length).toBeGreaterThan(10)
  return orderIds
}

/** Every order ended, stock = initial - what confirmed orders bought, no hold left, payments as they should. */
async function expectSettled(current: OrderStack, orderIds: string[], bookIds: string[]) {
  const rows = await Promise.all(orderIds.map((orderId) => current.settled(orderId, 60_000)))
  expect(rows.every((row) => row.status === 'confirmed' || row.status === 'cancelled')).toBe(true)
  const confirmed = rows.filter((row) => row.status === 'confirmed')
  expect(confirmed.length).toBeGreaterThan(0)
  for (const bookId of bookIds) {
    let sold = 0
    for (const row of confirmed)
      for (const line of await current.orderLines(row.id)) if (line.bookId === bookId) sold += line.quantity
    expect(await current.stockOf(bookId)).toBe(10 - sold)
  }
  const holds = await current.db
    .select()
    .from(stockReservations)
    .where(inArray(stockReservations.orderId, orderIds))
  expect(holds.filter((hold) => hold.status === 'held')).toEqual([])
  for (const orderId of orderIds) expect(await current.paidAsItShould(orderId)).toBe(true)
  return rows
}

describe('a process killed in the middle of the saga (SPEC O1, O3)', () => {
  it("book-api's reservation worker SIGKILLed: after its restart every order ends and the stock adds up", {
    timeout: 120_000,
  }, async () => {
    const current = await startOrderStack({
      bookApi: 'process',
      bookEnv: { ...survivors, RESERVATION_CONCURRENCY: '1' },
      orderEnv: survivors,
    })
    stack = current
    current.runSweeps(500)
    const { books, shoppers } = await shoppersOver(current)
    const orderIds = await checkOutAll(current, shoppers)
    // Some reservations made, not all: the worker is between steps of the saga.
    await waitFor(async () => (await current.holds(orderIds)).length >= 3, 'the first reservations')
    const [doomed] = current.running('book-api')
    if (doomed?.kind !== 'process') throw new Error('book-api should run as a process')
    await doomed.kill()
    const atKill = await current.db.select().from(orders).where(inArray(orders.id, orderIds))
    expect(atKill.filter((row) => row.status === 'pending').length).toBeGreaterThan(0)
    await current.spawn('book-api')
    await expectSettled(current, orderIds, books)
  })

  it('order-api SIGKILLed mid-saga: after its restart every order ends and the stock adds up', {
    timeout: 120_000,
  }, async () => {
    const current = await startOrderStack({
      orderApi: 'process',
      bookEnv: survivors,
      // Every capture answers late once: the killed process is caught with payments in flight.
      orderEnv: { ...survivors, SAGA_CONCURRENCY: '2', FAKE_PAYMENT_CAPTURE: 'twice' },
    })
    stack = current
    current.runSweeps(500)
    const { books, shoppers } = await shoppersOver(current)
    const orderIds = await checkOutAll(current, shoppers)
    await waitFor(async () => {
      const rows = await current.db.select().from(orders).where(inArray(orders.id, orderIds))
      return rows.some((row) => row.payment === 'authorized') && rows.some((row) => row.status === 'pending')
    }, 'payments under way')
    const [doomed] = current.running('order-api')
    if (doomed?.kind !== 'process') throw new Error('order-api should run as a process')
    await doomed.kill()
    await current.spawn('order-api', { env: { FAKE_PAYMENT_CAPTURE: 'approve' } })
    const rows = await expectSettled(current, orderIds, books)
    // A capture cut off by the kill is not taken twice.
    for (const row of rows.filter((candidate) => candidate.status === 'confirmed'))
      expect((await current.payment(row.id)).captures).toBe(1)
  })
})
