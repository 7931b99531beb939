/**
 * `pnpm bench:checkout`: checkout through order-api and its whole saga (SPEC O1-O3).
 *
 * Starts book-api (its reservation worker) and order-api from their builds, each its own process,
 * on a fresh database. 100 books (BENCH_BOOKS) with ample stock; 1,000 shoppers (BENCH_USERS), each
 * with a cart of 1-3 of them written straight into Redis by the cart's own add-item script. Then
 * every shopper checks out once, BENCH_CONCURRENCY (50) requests in flight at a time, and the run
 * waits until every order has settled (confirmed with its cart cleared and e-mail queued, or
 * cancelled). Figures: POST /checkout's latency (p50, p99) and rate, the saga's rate (orders
 * confirmed per second from the first request to the last confirmation) and the latency from the
 * checkout to the order's confirmation (its history).
 *
 * Then the race: BENCH_RACE_SHOPPERS (50) shoppers at once for the last BENCH_RACE_COPIES (3)
 * copies of one book: exactly that many confirmed, stock 0 and never below, no hold left.
 *
 * SPEC names no rate target for checkout: the rates are figures, shown beside the calibration of
 * the same run (a bare Fastify route and the same + one EVALSHA); the race and "every checkout
 * answered, every order settled" are judged. Prints the table; the LAST line is one JSON object.
 */
import { randomUUID } from 'node:crypto'
import { migrateDatabase } from '@bookstore/db'
import { cartKeys, emptyCart } from '@bookstore/events'
import { loadCartScripts, runCartMutation } from '@bookstore/lua'
import { createTestDatabase, generateTestKeys, signTestToken } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { type Calibration, calibrationRows, obtainCalibration } from './lib/calibration'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { openBenchDatabase } from './lib/database'
import { intFromEnv, quick } from './lib/env'
import { startServer } from './lib/processes'
import { chooseRedis, cleanUpRunKeys } from './lib/redis-target'
import { benchReport, checked, figure, formatNumber, printReport } from './lib/report'

const settings = {
  users: intFromEnv('BENCH_USERS', quick ? 200 : 1000),
  books: intFromEnv('BENCH_BOOKS', 100),
  concurrency: intFromEnv('BENCH_CONCURRENCY', 50),
  raceShoppers: intFromEnv('BENCH_RACE_SHOPPERS', 50),
  raceCopies: intFromEnv('BENCH_RACE_COPIES', 3),
  deadlineSec: intFromEnv('BENCH_DEADLINE', 300),
}
const runId = `bench-${randomUUID().slice(0, 8)}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const percentile = (values: number[], q: number) => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
}

interface Shopper {
  userId: string
  authorization: string
  cartVersion: number
}

/** A cart holding these books, written by the cart's own script (as cart-api would). */
async function fillCart(redis: Redis, userId: string, bookIds: string[], priceCents: number) {
  await redis.set(cartKeys(userId).cart, JSON.stringify(emptyCart(userId)), 'EX', 3600)
  let version = 0
  for (const bookId of bookIds) {
    const result = await runCartMutation(
      redis,
      'add-item',
      { userId, now: Date.now(), cartTtlSeconds: 3600, idempotencyTtlSeconds: 60 },
      {
        bookId,
        quantity: 1,
        book: { status: 'active', title: `Book ${bookId}`, priceCents, stock: 1_000_000 },
        maxQuantityPerItem: 99,
        maxDistinctItems: 100,
      },
    )
    if (result.outcome !== 'committed') throw new Error(`could not fill the cart of ${userId}`)
    version = result.version
  }
  return version
}

/** Every checkout once, `concurrency` at a time: each answer's status and latency. */
async function checkOutAll(orderApiUrl: string, shoppers: Shopper[], concurrency: number) {
  const answers: { status: number; ms: number; orderId?: string }[] = []
  let next = 0
  const worker = async () => {
    while (next < shoppers.length) {
      const shopper = shoppers[next++]
      if (!shopper) return
      const startedAt = performance.now()
      try {
        const response = await fetch(`${orderApiUrl}/checkout`, {
          method: 'POST',
          headers: {
            authorization: shopper.authorization,
            'content-type': 'application/json',
            'idempotency-key': `${shopper.userId}-checkout`,
          },
          body: JSON.stringify({ cartVersion: shopper.cartVersion }),
        })
        const body = (await response.json()) as { id?: string }
        answers.push({
          status: response.status,
          ms: performance.now() - startedAt,
          ...(body.id && { orderId: body.id }),
        })
      } catch {
        answers.push({ status: 0, ms: performance.now() - startedAt })
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return answers
}

async function main() {
  const redisUrl = await chooseRedis()
  const redis = new Redis(redisUrl, { connectionName: 'checkout-bench' })
  onCleanUp('redis connection', async () => redis.disconnect())
  cleanUpRunKeys(redis, runId)
  // Before any app runs: the calibration wants the machine to itself.
  const calibration: Calibration = await obtainCalibration(redisUrl)
  const database = await createTestDatabase()
  onCleanUp('bench database', () => database.drop())
  await migrateDatabase(database.url)
  const bench = openBenchDatabase(database.url)

  const keys = generateTestKeys()
  const env = {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: runId,
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    READ_MODEL_REBUILD_ON_START: 'false',
    DATABASE_POOL_SIZE: '8',
    RESERVATION_CONCURRENCY: '8',
    SAGA_CONCURRENCY: '8',
    PAYMENT_TIMEOUT_MS: '2000',
  }
  const bookApi = await startServer('book-api', ['apps/book-api/dist/main.js'], env)
  const orderApi = await startServer('order-api', ['apps/order-api/dist/main.js'], env)
  const admin = {
    authorization: `Bearer ${await signTestToken(keys.privateKey, `${runId}-admin`, { role: 'admin' })}`,
    'content-type': 'application/json',
  }
  const createBook = async (id: string, stock: number) => {
    const created = await fetch(`${bookApi.url}/admin/books`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id, title: `Book ${id}`, author: 'B. Mark', priceCents: 1500, stock }),
    })
    if (created.status !== 201) throw new Error(`could not create ${id}: ${await created.text()}`)
  }
  const bookIds = Array.from({ length: settings.books }, (_, index) => `${runId}-book-${index}`)
  for (const bookId of bookIds) await createBook(bookId, 1_000_000)
  // The read model of every book is written by the outbox relay.
  for (const bookId of bookIds)
    while ((await redis.hget(`book:${bookId}`, 'bookId')) !== bookId) await sleep(20)

  await loadCartScripts(redis)
  const shopperOf = async (userId: string, books: string[]): Promise<Shopper> => ({
    userId,
    authorization: `Bearer ${await signTestToken(keys.privateKey, userId, { expiresIn: 3600 })}`,
    cartVersion: await fillCart(redis, userId, books, 1500),
  })
  const shoppers = await Promise.all(
    Array.from({ length: settings.users }, (_, index) =>
      shopperOf(
        `${runId}-user-${index}`,
        Array.from(
          { length: 1 + (index % 3) },
          (_, slot) => bookIds[(index * 7 + slot) % bookIds.length] ?? '',
        ),
      ),
    ),
  )
  console.log(
    `bench checkout (${runId}): ${settings.users} shoppers over ${settings.books} books, ` +
      `${settings.concurrency} checkouts in flight, redis ${redisUrl}`,
  )

  const startedAt = Date.now()
  const answers = await checkOutAll(orderApi.url, shoppers, settings.concurrency)
  const answeredMs = Date.now() - startedAt
  const orderIds = answers.flatMap((answer) => (answer.orderId ? [answer.orderId] : []))
  const settledSql = `select count(*)::int as n from orders where id = any($1) and
    ((status = 'confirmed' and cart_cleared_at is not null and email_enqueued_at is not null) or status = 'cancelled')`
  const deadline = startedAt + settings.deadlineSec * 1000
  let settled = 0
  while (Date.now() < deadline) {
    settled = (await bench.query<{ n: number }>(settledSql, [orderIds]))[0]?.n ?? 0
    if (settled === orderIds.length) break
    await sleep(50)
  }
  const rows = await bench.query<{ status: string; confirmed_ms: number | null }>(
    `select o.status, (extract(epoch from h.at - o.created_at) * 1000)::int as confirmed_ms
       from orders o left join order_history h on h.order_id = o.id and h.to_status = 'confirmed'
      where o.id = any($1)`,
    [orderIds],
  )
  const confirmedRows = rows.filter((row) => row.status === 'confirmed')
  const lastConfirmationMs =
    (
      await bench.query<{ ms: number | null }>(
        `select (extract(epoch from max(h.at)) * 1000)::bigint as ms from order_history h
          where h.order_id = any($1) and h.to_status = 'confirmed'`,
        [orderIds],
      )
    )[0]?.ms ?? startedAt
  const sagaMs = Math.max(1, Number(lastConfirmationMs) - startedAt)
  const latencies = answers.map((answer) => answer.ms)
  const toConfirmed = confirmedRows.flatMap((row) => (row.confirmed_ms === null ? [] : [row.confirmed_ms]))
  const notAccepted = answers.filter((answer) => answer.status !== 202).length

  // The race for the last copies.
  const raceBook = `${runId}-race`
  await createBook(raceBook, settings.raceCopies)
  while ((await redis.hget(`book:${raceBook}`, 'bookId')) !== raceBook) await sleep(20)
  const racers = await Promise.all(
    Array.from({ length: settings.raceShoppers }, (_, index) =>
      shopperOf(`${runId}-racer-${index}`, [raceBook]),
    ),
  )
  const raceAnswers = await checkOutAll(orderApi.url, racers, racers.length)
  const raceOrders = raceAnswers.flatMap((answer) => (answer.orderId ? [answer.orderId] : []))
  const raceDeadline = Date.now() + 60_000
  let raceSettled = 0
  while (Date.now() < raceDeadline) {
    raceSettled = (await bench.query<{ n: number }>(settledSql, [raceOrders]))[0]?.n ?? 0
    if (raceSettled === raceOrders.length) break
    await sleep(50)
  }
  const raceConfirmed =
    (
      await bench.query<{ n: number }>(
        `select count(*)::int as n from orders where id = any($1) and status = 'confirmed'`,
        [raceOrders],
      )
    )[0]?.n ?? 0
  const holdsLeft =
    (
      await bench.query<{ n: number }>(
        `select count(*)::int as n from stock_reservations where status = 'held'`,
      )
    )[0]?.n ?? 0
  const raceStock =
    (await bench.query<{ stock: number }>('select stock from books where id = $1', [raceBook]))[0]?.stock ??
    -1
  const refusedAtTheDoor = raceAnswers.filter((answer) => answer.status === 409).length
  await bench.close()
  await cleanUp()

  const checkoutsPerSecond = Math.round((answers.length / answeredMs) * 1000)
  const confirmedPerSecond = Math.round((confirmedRows.length / sagaMs) * 1000)
  const report = {
    shoppers: settings.users,
    books: settings.books,
    concurrency: settings.concurrency,
    checkoutsPerSecond,
    checkoutP50Ms: percentile(latencies, 0.5),
    checkoutP99Ms: percentile(latencies, 0.99),
    confirmedPerSecond,
    toConfirmedP50Ms: percentile(toConfirmed, 0.5),
    toConfirmedP99Ms: percentile(toConfirmed, 0.99),
    orders: orderIds.length,
    confirmed: confirmedRows.length,
    settled,
    race: {
      shoppers: settings.raceShoppers,
      copies: settings.raceCopies,
      ordersConfirmed: raceConfirmed,
      refusedAtCheckout: refusedAtTheDoor,
      refusedByReservation: raceOrders.length - raceConfirmed,
      holdsLeft,
      stockLeft: raceStock,
    },
    calibration,
  }
  const ratio =
    calibration.bareEvalsha.reqPerSec > 0 ? checkoutsPerSecond / calibration.bareEvalsha.reqPerSec : 0
  printReport(
    benchReport(
      'checkout',
      [
        ...calibrationRows(calibration),
        figure(
          `POST /checkout, ${formatNumber(settings.users)} shoppers over ${settings.books} books`,
          checkoutsPerSecond,
          'req/s',
          `p50 ${report.checkoutP50Ms} ms, p99 ${report.checkoutP99Ms} ms; ${settings.concurrency} in flight; ` +
            `${formatNumber(ratio)} x bare EVALSHA`,
        ),
        figure(
          'orders confirmed per second (whole saga)',
          confirmedPerSecond,
          'orders/s',
          `checkout to confirmed p50 ${report.toConfirmedP50Ms} ms, p99 ${report.toConfirmedP99Ms} ms`,
        ),
        checked(
          'checkouts not accepted or orders not settled',
          notAccepted + (orderIds.length - settled) + (orderIds.length - confirmedRows.length),
          '',
          { op: '=', value: 0 },
          `${notAccepted} not 202, ${orderIds.length - settled} of ${orderIds.length} unsettled after ` +
            `${settings.deadlineSec} s, ${orderIds.length - confirmedRows.length} not confirmed`,
        ),
        checked(
          `race: ${settings.raceShoppers} shoppers for ${settings.raceCopies} copies, orders confirmed`,
          raceConfirmed,
          '',
          { op: '=', value: settings.raceCopies },
          `${refusedAtTheDoor} refused at checkout, ${raceOrders.length - raceConfirmed} by the reservation; stock left ${raceStock}`,
        ),
        checked(
          'race: holds left',
          holdsLeft,
          '',
          { op: '=', value: 0 },
          'reservations still held after settling',
        ),
      ],
      report,
    ),
  )
}

await runBench(main)
