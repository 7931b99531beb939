/**
 * `pnpm bench:reconcile`: how long one reconciliation sweep (SPEC P6) takes over BENCH_CARTS carts
 * (100,000) when nothing needs repair, and again when BENCH_DIVERGENT of them (1,000) differ.
 *
 * The sweep SCANs every cart of its Redis, so the bench runs a private redis-server (never a shared
 * one: other carts there would be counted) and a fresh database. It writes the carts straight into
 * both stores, each from the same cart object (1-3 lines over 1,000 books), so they agree. The
 * scheduler runs from its build (apps/scheduler/dist/main.js) in its own process; each sweep is
 * started through its admin route and its figures are read from the run's result. Prints the
 * table; the LAST line is one JSON object. SPEC's performance targets name none for it: the sweep
 * times are figures; a quiet sweep that repairs anything or skips a cart, and a divergent one that
 * misses a cart, fail their rows.
 *
 * Environment: BENCH_QUICK=1 (20,000 carts, 200 divergent), BENCH_CARTS, BENCH_DIVERGENT,
 * BENCH_BATCH (RECONCILE_BATCH_SIZE, 1,000),
 * DATABASE_URL (the server to create the bench database on; default the local PostgreSQL).
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { cartToRows } from '@bookstore/cart-store'
import { cartItems, carts, type Database, migrateDatabase } from '@bookstore/db'
import { type Cart, cartKeys } from '@bookstore/events'
import {
  createTestDatabase,
  generateTestKeys,
  type PrivateRedis,
  signTestToken,
  startPrivateRedis,
} from '@bookstore/test-kit'
import { inArray, sql } from 'drizzle-orm'
import { Redis } from 'ioredis'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { openBenchDatabase } from './lib/database'
import { intFromEnv, quick } from './lib/env'
import { startServer } from './lib/processes'
import { benchReport, checked, figure, formatNumber, printReport } from './lib/report'

const settings = {
  carts: intFromEnv('BENCH_CARTS', quick ? 20_000 : 100_000),
  divergent: intFromEnv('BENCH_DIVERGENT', quick ? 200 : 1000),
  batch: intFromEnv('BENCH_BATCH', 1000),
}

const runId = `bench-${randomUUID().slice(0, 8)}`
const userId = (index: number) => `${runId}-user-${index}`
const DAY = 24 * 3600_000

/** A cart as the cart scripts store it: 1-3 lines, totals derived, changed some days ago. */
function cartOf(index: number, now: number): Cart {
  const lines = 1 + (index % 3)
  const items = Array.from({ length: lines }, (_, line) => {
    const unitPriceCents = 500 + ((index * 7 + line * 131) % 4000)
    const quantity = 1 + ((index + line) % 4)
    return {
      bookId: `${runId}-book-${(index * 3 + line) % 1000}`,
      title: `Book ${(index * 3 + line) % 1000}`,
      unitPriceCents,
      quantity,
      lineTotalCents: unitPriceCents * quantity,
      addedAt: now - 3 * DAY - line * 1000,
    }
  })
  return {
    userId: userId(index),
    version: 1 + (index % 17),
    items,
    totalCents: items.reduce((sum, item) => sum + item.lineTotalCents, 0),
    itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
    updatedAt: now - 2 * DAY,
  }
}

async function fill(redis: Redis, db: Database) {
  const now = Date.now()
  for (let start = 0; start < settings.carts; start += 1000) {
    const page = Array.from({ length: Math.min(1000, settings.carts - start) }, (_, i) =>
      cartOf(start + i, now),
    )
    const pipeline = redis.pipeline()
    for (const cart of page) {
      const keys = cartKeys(cart.userId)
      pipeline.set(keys.cart, JSON.stringify(cart), 'EX', 60 * 24 * 3600)
      pipeline.set(keys.version, cart.version)
    }
    const rows = page.map(cartToRows)
    await Promise.all([
      pipeline.exec(),
      db.transaction(async (tx) => {
        await tx.insert(carts).values(rows.map((row) => row.cart))
        await tx.insert(cartItems).values(rows.flatMap((row) => row.items))
      }),
    ])
  }
}

interface SweepResult {
  checked: number
  inSync: number
  behind: number
  differing: number
  repaired: number
  durationMs: number
}

interface ScheduleList {
  schedules: {
    name: string
    recentRuns: { jobId: string; state: string; result: unknown; failedReason: string | null }[]
  }[]
}

const listSchedules = async (url: string, authorization: string) =>
  (await (await fetch(`${url}/admin/schedules`, { headers: { authorization } })).json()) as ScheduleList

/**
 * A scheduler's first start runs every schedule once (the re-sync pages through every cart): the
 * sweeps are measured after those runs, alone.
 */
async function firstRunsDone(url: string, authorization: string) {
  for (;;) {
    const { schedules } = await listSchedules(url, authorization)
    if (schedules.every((schedule) => schedule.recentRuns.some((run) => run.state === 'completed'))) return
    await sleep(500)
  }
}

/** Starts one sweep through the admin route and waits for its result. */
async function sweep(url: string, authorization: string): Promise<SweepResult> {
  const started = await fetch(`${url}/admin/schedules/reconcile-carts/run`, {
    method: 'POST',
    headers: { authorization },
  })
  if (started.status !== 202) throw new Error(`run answered ${started.status}: ${await started.text()}`)
  const { jobId } = (await started.json()) as { jobId: string }
  for (;;) {
    await sleep(200)
    const listed = await listSchedules(url, authorization)
    const run = listed.schedules
      .find((schedule) => schedule.name === 'reconcile-carts')
      ?.recentRuns.find((entry) => entry.jobId === jobId)
    if (run?.state === 'failed') throw new Error(`the sweep failed: ${run.failedReason}`)
    // The listing reads an active job, then asks its state: a run that completed in between reads
    // as completed without its result yet; the next poll has it.
    if (run?.state === 'completed' && run.result !== null) return run.result as SweepResult
  }
}

async function main() {
  const privateRedis: PrivateRedis = await startPrivateRedis()
  onCleanUp('private redis-server', () => privateRedis.stop())
  const redis = new Redis(privateRedis.url)
  onCleanUp('redis connection', async () => redis.disconnect())
  const database = await createTestDatabase()
  onCleanUp('bench database', () => database.drop())
  await migrateDatabase(database.url)
  const { db, query } = openBenchDatabase(database.url, 4)

  const fillStart = Date.now()
  await fill(redis, db)
  await query('VACUUM ANALYZE carts')
  await query('VACUUM ANALYZE cart_items')
  console.log(`filled ${settings.carts} carts into Redis and PostgreSQL in ${Date.now() - fillStart} ms`)

  const keys = generateTestKeys()
  const never = String(30 * DAY)
  const scheduler = await startServer('scheduler', ['apps/scheduler/dist/main.js'], {
    REDIS_URL: privateRedis.url,
    DATABASE_URL: database.url,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: runId,
    RECONCILE_BATCH_SIZE: String(settings.batch),
    RECONCILE_GRACE_MS: '0',
    RECONCILE_EVERY_MS: never,
    RESYNC_EVERY_MS: never,
    ABANDONED_CARTS_EVERY_MS: never,
    DEAD_LETTER_WATCH_EVERY_MS: never,
  })
  const authorization = `Bearer ${await signTestToken(keys.privateKey, `${runId}-admin`, { role: 'admin' })}`

  const settled = Date.now()
  await firstRunsDone(scheduler.url, authorization)
  console.log(
    `the first runs of every schedule (re-sync included) were done after ${Date.now() - settled} ms`,
  )

  const quiet = await sweep(scheduler.url, authorization)
  console.log(
    `quiet sweep: ${quiet.checked} carts compared in ${quiet.durationMs} ms, ${quiet.repaired} repaired`,
  )

  // Divergence: every n-th cart's PostgreSQL copy goes one version back.
  const step = Math.max(1, Math.floor(settings.carts / settings.divergent))
  const divergent = Array.from({ length: settings.divergent }, (_, i) => userId(i * step))
  for (let start = 0; start < divergent.length; start += 1000)
    await db
      .update(carts)
      .set({ version: sql`${carts.version} - 1` })
      .where(inArray(carts.userId, divergent.slice(start, start + 1000)))
  const repairing = await sweep(scheduler.url, authorization)
  console.log(
    `sweep with ${settings.divergent} divergent carts: ${repairing.durationMs} ms, ${repairing.repaired} repairs enqueued`,
  )

  const report = {
    carts: settings.carts,
    batchSize: settings.batch,
    quietSweepMs: quiet.durationMs,
    cartsPerSecond: Math.round((quiet.checked / quiet.durationMs) * 1000),
    divergent: settings.divergent,
    divergentSweepMs: repairing.durationMs,
    repairsEnqueued: repairing.repaired,
  }
  await cleanUp()
  const rows = [
    figure(
      `quiet sweep over ${formatNumber(settings.carts)} carts`,
      quiet.durationMs,
      'ms',
      `${formatNumber(report.cartsPerSecond)} carts/s, pages of ${formatNumber(settings.batch)}`,
    ),
    figure(`sweep with ${formatNumber(settings.divergent)} divergent carts`, repairing.durationMs, 'ms'),
    checked(
      'quiet sweep: carts skipped or repaired',
      Math.abs(settings.carts - quiet.checked) + quiet.repaired,
      '',
      { op: '=', value: 0 },
      `${quiet.checked} compared, ${quiet.repaired} repaired`,
    ),
    checked(
      'divergent sweep: repairs missed or extra',
      Math.abs(settings.divergent - repairing.repaired),
      '',
      { op: '=', value: 0 },
      `${repairing.repaired} of ${settings.divergent} enqueued`,
    ),
  ]
  printReport(benchReport('reconcile', rows, { ...report, quiet, repairing }))
}

await runBench(main)
