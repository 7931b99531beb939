/**
 * `pnpm bench:persist-sustained`, the sustained mode of bench:persist: does persistence keep up
 * with cart-api at full speed for minutes, or does the backlog grow (SPEC P3; issue 19)?
 *
 * For each database in turn, the local stack's embedded PGlite (infra/local-stack, in a process of
 * its own, the worker's pool as `./dev start` sets it) and then the machine's PostgreSQL (a fresh
 * database): cart-api and persistence-worker from their builds, BENCH_USERS carts (2,000), and
 * BENCH_SUSTAINED_CONNECTIONS clients (16) sending changes (set quantity, add, remove) one at a
 * time each:
 *   1. cart-api's maximum with those clients: BENCH_PROBE_DURATION s (10) at max load;
 *   2. the sustained run: BENCH_SUSTAINED_DURATION s (180) at that rate, the queue's depth (jobs
 *      waiting, active or delayed) read every second;
 *   3. then up to BENCH_CATCH_UP s (60) for PostgreSQL to hold every change.
 * Printed per database: mutations/s, database transactions/s (distinct transactions that wrote
 * carts rows, from the bench's trigger), writes per mutation, queue depth at minute 1 and at the
 * end (the lowest of the 10 s before each, the level the queue keeps coming back to; jobs waiting
 * for a worker, the backlog that grew without bound before, and also with the jobs the worker
 * holds) and its trend after minute 1,
 * lag p50/p99/max (each
 * mutation's exact lag: bench/lib/persist-rig.ts). Targets: depth at the end no larger than at
 * minute 1, lag p99 < 1 s, no failed request. The calibration of the same run is in the table.
 *
 * Environment: also BENCH_DATABASES (pglite,postgresql), BENCH_QUICK=1 (5 s probe, 45 s runs),
 * REDIS_URL, DATABASE_URL (the server the PostgreSQL database is created on; default the local one).
 */
import { randomUUID } from 'node:crypto'
import { readPersistenceBacklog } from '@bookstore/cart-store'
import { createTestDatabase, generateTestKeys, signTestToken } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { benchAppEnv, cartRateLimitEnv } from './bench-settings'
import { calibrationRows, obtainCalibration } from './lib/calibration'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { startEmbeddedDatabase } from './lib/embedded-database'
import { intFromEnv, quick } from './lib/env'
import { runLoad } from './lib/load'
import { describeOverload, notOk } from './lib/overload'
import {
  benchBooks,
  lastCartWrite,
  type Mutation,
  mutationRequests,
  newestVersions,
  persistenceFigures,
  quantile,
  round3,
  type Shopper,
  startPersistRig,
  waitForVersions,
} from './lib/persist-rig'
import { chooseRedis, cleanUpRunKeys } from './lib/redis-target'
import { benchReport, checked, figure, formatNumber, printReport, type Row } from './lib/report'

const databases = ['pglite', 'postgresql'] as const
type DatabaseKind = (typeof databases)[number]
const databaseNames: Record<DatabaseKind, string> = { pglite: 'PGlite', postgresql: 'PostgreSQL' }

const settings = {
  users: intFromEnv('BENCH_USERS', 2000),
  connections: intFromEnv('BENCH_SUSTAINED_CONNECTIONS', 16),
  probeSec: intFromEnv('BENCH_PROBE_DURATION', quick ? 5 : 10),
  durationSec: intFromEnv('BENCH_SUSTAINED_DURATION', quick ? 45 : 180),
  catchUpSec: intFromEnv('BENCH_CATCH_UP', 60),
  databases: (process.env.BENCH_DATABASES ?? databases.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name): name is DatabaseKind => (databases as readonly string[]).includes(name)),
}
/** "Minute 1", or a third of a shorter run. */
const checkpointSec = Math.min(60, Math.floor(settings.durationSec / 3))
const windowSec = 10
const target = { lagP99Ms: 1000 } as const

const baseRunId = `bench-${randomUUID().slice(0, 8)}`

/**
 * The persistence queue at one moment: `waiting`, the jobs no worker has taken yet (BullMQ's wait
 * list, delayed and prioritized sets: the backlog the issue watched grow), and `total`, with the
 * jobs the worker holds (active: being gathered into the next batch or written).
 */
interface DepthSample {
  atSec: number
  waiting: number
  total: number
}

type DepthOf = (sample: DepthSample) => number
const waitingOf: DepthOf = (sample) => sample.waiting
const totalOf: DepthOf = (sample) => sample.total

/**
 * The lowest depth in the `windowSec` before `atSec`: the level the queue keeps coming back to.
 * A queue that keeps up goes back to (nearly) nothing between batches whatever its spikes; a
 * backlog that grows raises that level with it.
 */
const depthAt = (samples: readonly DepthSample[], atSec: number, of: DepthOf) => {
  const window = samples.filter((s) => s.atSec > atSec - windowSec && s.atSec <= atSec).map(of)
  return window.length > 0 ? Math.min(...window) : 0
}

/** Least-squares slope of depth over time (jobs/s) from `fromSec` on: > 0 is a growing backlog. */
function trend(samples: readonly DepthSample[], fromSec: number, of: DepthOf): number {
  const points = samples.filter((sample) => sample.atSec >= fromSec)
  if (points.length < 2) return 0
  const meanT = points.reduce((sum, p) => sum + p.atSec, 0) / points.length
  const meanD = points.reduce((sum, p) => sum + of(p), 0) / points.length
  const num = points.reduce((sum, p) => sum + (p.atSec - meanT) * (of(p) - meanD), 0)
  const den = points.reduce((sum, p) => sum + (p.atSec - meanT) ** 2, 0)
  return den === 0 ? 0 : num / den
}

/** The persistence queue's depth (the figures operators see: packages/cart-store). */
async function queueDepth(redis: Redis, prefix: string): Promise<Omit<DepthSample, 'atSec'>> {
  const backlog = await readPersistenceBacklog(redis, prefix)
  return { waiting: backlog.waiting, total: backlog.waiting + backlog.active }
}

/** Samples the depth of the persistence queue every second until `stop` is called. */
function sampleDepth(redis: Redis, prefix: string, startedAt: number) {
  const samples: DepthSample[] = []
  let running = true
  const done = (async () => {
    while (running) {
      samples.push({ atSec: (Date.now() - startedAt) / 1000, ...(await queueDepth(redis, prefix)) })
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  })()
  return {
    samples,
    stop: async () => {
      running = false
      await done
    },
  }
}

async function runOn(kind: DatabaseKind, redis: Redis, redisUrl: string, evalsha: number) {
  const name = databaseNames[kind]
  const runId = `${baseRunId}-${kind}`
  const embedded = kind === 'pglite' ? await startEmbeddedDatabase('pglite') : undefined
  const testDatabase = embedded ? undefined : await createTestDatabase()
  if (testDatabase) onCleanUp('bench database', () => testDatabase.drop())
  const databaseUrl = embedded?.url ?? testDatabase?.url ?? ''

  const keys = generateTestKeys()
  const shoppers: Shopper[] = await Promise.all(
    Array.from({ length: settings.users }, async (_, index) => {
      const id = `${runId}-user-${index}`
      const token = await signTestToken(keys.privateKey, id, { expiresIn: 24 * 3600 })
      return { id, authorization: `Bearer ${token}`, sent: 0 }
    }),
  )
  const books = benchBooks(runId)
  const rig = await startPersistRig({
    redis,
    databaseUrl,
    books,
    shoppers,
    env: { ...benchAppEnv(redisUrl, keys.publicKeyPem, runId), ...cartRateLimitEnv() },
    // As the local stack runs the worker on PGlite (infra/local-stack/local-apps.ts).
    ...(kind === 'pglite' && { workerEnv: { DATABASE_POOL_SIZE: '2' } }),
  })
  const requests = (mutations: Mutation[]) => mutationRequests(books, shoppers, undefined, mutations)
  const watch = { redis, serverPid: rig.cartApi.pid }

  // 1. cart-api's maximum with these clients, with the worker and the database running.
  const probed: Mutation[] = []
  const probe = await runLoad(
    {
      url: rig.cartApi.url,
      requests: requests(probed),
      connections: settings.connections,
      durationSec: settings.probeSec,
    },
    watch,
  )
  const maxRate = Math.max(1, Math.round(probed.length / settings.probeSec))
  console.log(
    `${name}: probe at max load with ${settings.connections} clients: ${maxRate} mutations/s ` +
      `(${describeOverload(probe)}; cpu cart-api ${probe.cpu.server ?? '?'}%, redis ${probe.cpu.redis}%)`,
  )
  if (!(await waitForVersions(rig.database, newestVersions(probed), settings.catchUpSec * 1000)))
    console.log(`${name}: PostgreSQL still behind ${settings.catchUpSec} s after the probe`)

  // 2. The sustained run at that rate.
  const before = await lastCartWrite(rig.database)
  const mutations: Mutation[] = []
  const startedAt = Date.now()
  const depth = sampleDepth(redis, runId, startedAt)
  const load = await runLoad(
    {
      url: rig.cartApi.url,
      requests: requests(mutations),
      connections: settings.connections,
      durationSec: settings.durationSec,
      overallRate: maxRate,
    },
    watch,
  )
  const loadEnded = Date.now()
  await depth.stop()
  const caughtUp = await waitForVersions(rig.database, newestVersions(mutations), settings.catchUpSec * 1000)
  const gaveUpAt = Date.now()
  const figures = await persistenceFigures(rig.database, mutations, before, gaveUpAt)
  const [during] = await rig.database.query<{ transactions: string }>(
    `SELECT count(DISTINCT tx) AS transactions FROM bench_cart_writes
      WHERE id > $1 AND written_at <= to_timestamp($2::double precision / 1000)`,
    [before, loadEnded],
  )
  await rig.cartApi.stop()
  await rig.worker.stop()
  await rig.database.close()
  await embedded?.stop()

  const seconds = (loadEnded - startedAt) / 1000
  const rate = Math.round(mutations.length / settings.durationSec)
  const transactionsPerSec = round3(Number(during?.transactions ?? 0) / seconds)
  const endSec = Math.max(...depth.samples.map((sample) => sample.atSec))
  const atCheckpoint = depthAt(depth.samples, checkpointSec, waitingOf)
  const atEnd = depthAt(depth.samples, endSec, waitingOf)
  const total = {
    atCheckpoint: depthAt(depth.samples, checkpointSec, totalOf),
    atEnd: depthAt(depth.samples, endSec, totalOf),
  }
  const growth = round3(trend(depth.samples, checkpointSec, totalOf))
  const lag = {
    p50Ms: quantile(figures.lags, 0.5),
    p99Ms: quantile(figures.lags, 0.99),
    maxMs: figures.lags.at(-1) ?? 0,
  }
  const status5xx = Object.entries(load.statusCodes)
    .filter(([code]) => Number(code) >= 500)
    .reduce((sum, [, count]) => sum + count, 0)
  const failedRequests = load.errors + load.timeouts + status5xx
  const writesPerMutation = round3(figures.databaseWrites / Math.max(1, mutations.length))
  const minute = checkpointSec === 60 ? 'minute 1' : `${checkpointSec} s`
  console.log(
    `${name}: ${rate} mutations/s for ${settings.durationSec} s (asked ${maxRate}/s), ${transactionsPerSec} transactions/s, ` +
      `${writesPerMutation} writes per mutation; jobs waiting at ${minute} ${atCheckpoint}, at the end ${atEnd} ` +
      `(with the active ones ${total.atCheckpoint} and ${total.atEnd}, trend ${growth} jobs/s); lag p50 ${lag.p50Ms} ms, p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms; ` +
      `${figures.notPersisted} not persisted (caught up ${caughtUp ? `${gaveUpAt - loadEnded} ms after` : 'NOT'}); ` +
      `${describeOverload(load)}; jobs waiting/total every second: ${depth.samples.map((s) => `${s.waiting}/${s.total}`).join(' ')}`,
  )
  const rows: Row[] = [
    figure(
      `${name}: mutations/s, ${settings.durationSec} s at cart-api's max, ${settings.connections} clients`,
      rate,
      '/s',
      `max measured ${formatNumber(maxRate)}/s (${settings.probeSec} s probe, ${formatNumber(round3(maxRate / evalsha))} x bare EVALSHA); ${mutations.length} mutations`,
    ),
    figure(
      `${name}: database transactions/s`,
      transactionsPerSec,
      '/s',
      `${formatNumber(round3(mutations.length / seconds / Math.max(transactionsPerSec, 0.001)))} mutations per transaction`,
    ),
    figure(
      `${name}: database writes per mutation`,
      writesPerMutation,
      '',
      `${figures.databaseWrites} carts rows written for ${mutations.length} mutations`,
    ),
    checked(
      `${name}: queue depth at the end, jobs waiting (at ${minute}: ${formatNumber(atCheckpoint)})`,
      atEnd,
      '',
      { op: '<', value: atCheckpoint + 1 },
      `lowest of the ${windowSec} s before each; with the jobs the worker holds ${total.atCheckpoint} at ${minute}, ` +
        `${total.atEnd} at the end, trend after ${minute} ${growth} jobs/s`,
    ),
    checked(
      `${name}: lag p99`,
      lag.p99Ms,
      'ms',
      { op: '<', value: target.lagP99Ms },
      `p50 ${lag.p50Ms} ms, max ${lag.maxMs} ms; ${figures.notPersisted} not persisted ${settings.catchUpSec} s after`,
    ),
    checked(
      `${name}: requests failed (error, timeout, 5xx)`,
      failedRequests,
      '',
      { op: '=', value: 0 },
      `${describeOverload(load)}; ${notOk(load) - failedRequests} refused (4xx, crossing changes)`,
    ),
  ]
  const report = {
    database: kind,
    maxRate,
    rate,
    mutations: mutations.length,
    transactionsPerSec,
    writesPerMutation,
    depth: {
      checkpointSec,
      waiting: { atCheckpoint, atEnd },
      total: { ...total, trendJobsPerSec: growth },
      samples: depth.samples.map((s) => [s.waiting, s.total]),
    },
    lag,
    notPersisted: figures.notPersisted,
    failedRequests,
    cpu: load.cpu,
  }
  return { rows, report }
}

async function main() {
  const redisUrl = await chooseRedis()
  const redis = new Redis(redisUrl, { connectionName: 'persist-sustained-bench', maxRetriesPerRequest: null })
  onCleanUp('redis connection', () => redis.quit())
  cleanUpRunKeys(redis, baseRunId)
  const calibration = await obtainCalibration(redisUrl)
  const evalsha = Math.max(1, calibration.bareEvalsha.reqPerSec)
  console.log(
    `bench persist-sustained (${baseRunId}): ${settings.databases.join(', ')}; ${settings.users} carts, ` +
      `${settings.connections} clients, ${settings.probeSec} s probe then ${settings.durationSec} s; redis ${redisUrl}`,
  )
  const results = []
  for (const kind of settings.databases) results.push(await runOn(kind, redis, redisUrl, evalsha))
  await cleanUp()
  printReport(
    benchReport('persist-sustained', [...calibrationRows(calibration), ...results.flatMap((r) => r.rows)], {
      calibration,
      runs: results.map((r) => r.report),
      settings,
    }),
  )
}

await runBench(main)
