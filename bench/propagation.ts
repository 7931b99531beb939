/**
 * `pnpm bench:propagation`: how long a catalog change takes to reach every cart holding the book
 * (SPEC B3; issue target: 10,000 carts "within seconds").
 *
 * Starts book-api and catalog-worker from their builds (each its own process, as in production)
 * on a fresh database, fills BENCH_CARTS carts with the book the way cart-api does (index entry,
 * then the add-item script), then changes the book's price through book-api's admin API and polls
 * the carts' versions until the last one has moved. The clock runs from the PATCH request to the
 * moment the last cart was seen updated (the outbox relay, the queue, the sweep and the polling
 * delay of at most BENCH_POLL_MS are all inside it).
 *
 * SPEC's performance targets name none for it: the time is a figure; carts missed after
 * BENCH_DEADLINE s (120) or without the new price fail their rows. Prints the table; the LAST line
 * is one JSON object. Environment: BENCH_CARTS (10000), BENCH_POLL_MS (20), REDIS_URL, DATABASE_URL
 * (the server the bench database is created on; default the local PostgreSQL).
 */
import { randomUUID } from 'node:crypto'
import { migrateDatabase } from '@bookstore/db'
import { bookCartsKey, cartKeys, emptyCart } from '@bookstore/events'
import { loadCartScripts, runCartMutation } from '@bookstore/lua'
import { createTestDatabase, generateTestKeys, signTestToken } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { intFromEnv } from './lib/env'
import { startServer } from './lib/processes'
import { chooseRedis, cleanUpRunKeys } from './lib/redis-target'
import { benchReport, checked, figure, formatNumber, printReport } from './lib/report'

const settings = {
  carts: intFromEnv('BENCH_CARTS', 10_000),
  pollMs: intFromEnv('BENCH_POLL_MS', 20),
  deadlineSec: intFromEnv('BENCH_DEADLINE', 120),
}
const runId = `bench-${randomUUID().slice(0, 8)}`
const userId = (index: number) => `${runId}-user-${index}`
const bookId = `${runId}-book`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function fillCarts(redis: Redis, price: number) {
  await loadCartScripts(redis)
  const batch = 500
  for (let start = 0; start < settings.carts; start += batch) {
    const users = Array.from({ length: Math.min(batch, settings.carts - start) }, (_, i) => userId(start + i))
    await Promise.all(
      users.map(async (user) => {
        const now = Date.now()
        // An existing (empty) cart, so the add needs no hydration from PostgreSQL.
        await redis.set(cartKeys(user).cart, JSON.stringify(emptyCart(user)), 'EX', 3600)
        await redis.zadd(bookCartsKey(bookId), now, user)
        const result = await runCartMutation(
          redis,
          'add-item',
          { userId: user, now, cartTtlSeconds: 3600, idempotencyTtlSeconds: 60 },
          {
            bookId,
            quantity: 1,
            book: { status: 'active', title: 'Benchmark Book', priceCents: price, stock: 1_000_000 },
            maxQuantityPerItem: 99,
            maxDistinctItems: 100,
          },
        )
        if (result.outcome !== 'committed') throw new Error(`could not fill the cart of ${user}`)
      }),
    )
  }
}

/** Polls the version of every cart not yet seen updated, until all are or the deadline passed. */
async function waitForAllCarts(redis: Redis, startedAt: number, deadlineMs: number) {
  let pending = Array.from({ length: settings.carts }, (_, index) => userId(index))
  let polls = 0
  while (pending.length > 0) {
    if (Date.now() - startedAt > deadlineMs) break
    const versions: (string | null)[] = []
    for (let start = 0; start < pending.length; start += 1000)
      versions.push(
        ...(await redis.mget(pending.slice(start, start + 1000).map((user) => cartKeys(user).version))),
      )
    pending = pending.filter((_, index) => Number(versions[index]) < 2)
    polls++
    if (pending.length > 0) await sleep(settings.pollMs)
  }
  return { elapsedMs: Date.now() - startedAt, polls, missed: pending.length }
}

async function main() {
  const redisUrl = await chooseRedis()
  const redis = new Redis(redisUrl)
  onCleanUp('redis connection', async () => redis.disconnect())
  cleanUpRunKeys(redis, runId)
  const database = await createTestDatabase()
  onCleanUp('bench database', () => database.drop())
  await migrateDatabase(database.url)

  const keys = generateTestKeys()
  const env = {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: runId,
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
  }
  const bookApi = await startServer('book-api', ['apps/book-api/dist/main.js'], env)
  await startServer('catalog-worker', ['apps/catalog-worker/dist/main.js'], env)
  const admin = {
    authorization: `Bearer ${await signTestToken(keys.privateKey, `${runId}-admin`, { role: 'admin' })}`,
    'content-type': 'application/json',
  }
  const created = await fetch(`${bookApi.url}/admin/books`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({
      id: bookId,
      title: 'Benchmark Book',
      author: 'B. Mark',
      priceCents: 2500,
      stock: 1_000_000,
    }),
  })
  if (created.status !== 201) throw new Error(`could not create the book: ${await created.text()}`)

  const fillStart = Date.now()
  await fillCarts(redis, 2500)
  console.log(`filled ${settings.carts} carts in ${Date.now() - fillStart} ms`)
  // Let the book's created event and its second sweep go by (they change no cart).
  await sleep(500)

  const startedAt = Date.now()
  const changed = await fetch(`${bookApi.url}/admin/books/${bookId}`, {
    method: 'PATCH',
    headers: admin,
    body: JSON.stringify({ priceCents: 1999 }),
  })
  if (changed.status !== 200) throw new Error(`could not change the price: ${await changed.text()}`)
  const requestMs = Date.now() - startedAt
  const { elapsedMs, polls, missed } = await waitForAllCarts(redis, startedAt, settings.deadlineSec * 1000)

  const sample = JSON.parse((await redis.get(cartKeys(userId(settings.carts - 1)).cart)) ?? '{}')
  const newPrice = sample.items?.[0]?.unitPriceCents === 1999
  const report = {
    carts: settings.carts,
    missed,
    lastCartHoldsNewPrice: newPrice,
    lastCartUpdatedMs: elapsedMs,
    cartsPerSecond: Math.round((settings.carts / elapsedMs) * 1000),
    adminRequestMs: requestMs,
    pollMs: settings.pollMs,
    polls,
  }
  await cleanUp()
  const rows = [
    figure(
      `price change to the last of ${formatNumber(settings.carts)} carts`,
      elapsedMs,
      'ms',
      `${formatNumber(report.cartsPerSecond)} carts/s; the PATCH itself ${requestMs} ms; polled every ${settings.pollMs} ms`,
    ),
    checked(
      'carts missed or without the new price',
      missed + (newPrice ? 0 : 1),
      '',
      { op: '=', value: 0 },
      `${missed} not updated after ${settings.deadlineSec} s; last cart ${newPrice ? 'holds' : 'LACKS'} the new price`,
    ),
  ]
  printReport(benchReport('propagation', rows, report))
}

await runBench(main)
