/**
 * `pnpm bench:persist`: how fast and how cheaply cart changes reach PostgreSQL (SPEC P1-P3), at a
 * rate read as a share of this machine's calibration, and how far the rate can go.
 *
 * cart-api and persistence-worker run from their builds (apps/<app>/dist/main.js), each in its own
 * process, on a fresh database. Mutations go through cart-api's HTTP API (autocannon, lib/load)
 * over BENCH_USERS carts (2,000), BENCH_HOT_SHARE percent (10) of them on ONE hot cart:
 *   1. the main run: BENCH_DURATION s (30) at BENCH_RATE_SHARE of the bare EVALSHA route's req/s
 *      (lib/calibration, measured in the same run; default SPEC's 1,000 mutations/s on the machine
 *      where that route did 37,000 req/s); BENCH_RATE=<mutations/s> fixes the rate instead;
 *   2. the ladder: steps of BENCH_STEP_DURATION s (10) at 4x, 8x, ... the main rate until one
 *      fails, then halving the gap between the highest pass and the lowest failure, at most
 *      BENCH_MAX_STEPS (6) steps: the highest rate at which lag p99 stays < 1 s.
 * A trigger the bench adds to `carts` logs every row write (user, version, clock time):
 *   - persistence lag of a mutation = the first write of its cart at a version >= its own, minus its
 *     commit time (the cart's `updatedAt` in the answer, set inside the Lua commit);
 *   - database writes per mutation = carts row writes that made a mutation durable / mutations
 *     answered 200 (below 1 when bursts coalesce).
 * A step passes if lag p99 < 1 s and every mutation reached PostgreSQL within BENCH_CATCH_UP s (30)
 * after the step (one that did not counts, with its lag so far, as not persisted). Overload is a
 * figure: errors, timeouts, 503 and other answers are counted per step, never thrown; a step
 * whose achieved rate stays under 90% of the asked one is saturated (cart-api or the load
 * generator could not go faster) and counts as a failure for the search.
 *
 * Prints a line per step and the table; the LAST line is one JSON object. Environment: also
 * BENCH_QUICK=1 (10 s main run, 5 s steps, at most 3), BENCH_CONNECTIONS (100), REDIS_URL,
 * DATABASE_URL (the server to create the bench database on; default the local PostgreSQL).
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createTestDatabase, generateTestKeys, seedBook, signTestToken } from '@bookstore/test-kit'
import type autocannon from 'autocannon'
import { Redis } from 'ioredis'
import { type Calibration, obtainCalibration, referenceMachine } from './lib/calibration'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import type { CpuShares } from './lib/cpu'
import { type BenchDatabase, openBenchDatabase } from './lib/database'
import { intFromEnv, numberFromEnv, quick } from './lib/env'
import { nextLadderRate } from './lib/ladder'
import { runLoad } from './lib/load'
import { describeOverload, type Overload } from './lib/overload'
import { type Server, startServer } from './lib/processes'
import { chooseRedis, cleanUpRunKeys } from './lib/redis-target'
import { benchReport, checked, figure, formatNumber, printReport } from './lib/report'

/** SPEC: lag p99 < 1 s at 1,000 mutations/s, on the machine where bare EVALSHA did 37,000 req/s. */
const specRateShare = 1000 / referenceMachine.bareEvalshaReqPerSec
const target = { lagP99Ms: 1000, hotWritesPerMutation: 1, rateShare: specRateShare } as const

const settings = {
  durationSec: intFromEnv('BENCH_DURATION', quick ? 10 : 30),
  rateShare: numberFromEnv('BENCH_RATE_SHARE', specRateShare),
  fixedRate: process.env.BENCH_RATE ? intFromEnv('BENCH_RATE', 1) : undefined,
  users: intFromEnv('BENCH_USERS', 2000),
  hotSharePercent: intFromEnv('BENCH_HOT_SHARE', 10),
  connections: intFromEnv('BENCH_CONNECTIONS', 100),
  stepDurationSec: intFromEnv('BENCH_STEP_DURATION', quick ? 5 : 10),
  maxSteps: intFromEnv('BENCH_MAX_STEPS', quick ? 3 : 6),
  catchUpSec: intFromEnv('BENCH_CATCH_UP', 30),
}

const runId = `bench-${randomUUID().slice(0, 8)}`
const userId = (index: number) => `${runId}-user-${index}`
const hotUser = `${runId}-hot`
const bookA = `${runId}-book-a`
const bookB = `${runId}-book-b`

interface Shopper {
  id: string
  authorization: string
  /** Changes sent so far: picks the next operation. */
  sent: number
}

interface Mutation {
  userId: string
  version: number
  committedAt: number
}

/**
 * The load's requests: the hot cart takes its share of picks and only changes quantities (it never
 * hits a limit); the others also add and remove a book. Every 200 answer is recorded in `mutations`.
 */
function mutationRequests(shoppers: readonly Shopper[], hot: Shopper, mutations: Mutation[]) {
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const isHot = Math.random() * 100 < settings.hotSharePercent
    const shopper = isHot ? hot : (shoppers[Math.floor(Math.random() * shoppers.length)] as Shopper)
    const step = shopper.sent++
    const kind = isHot ? 0 : step % 3
    const headers = { authorization: shopper.authorization, 'content-type': 'application/json' }
    if (kind === 0)
      return {
        ...request,
        method: 'PUT',
        path: `/cart/items/${bookA}`,
        headers,
        body: JSON.stringify({ quantity: (step % 20) + 1 }),
      }
    if (kind === 1)
      return {
        ...request,
        method: 'POST',
        path: '/cart/items',
        headers,
        body: JSON.stringify({ bookId: bookB }),
      }
    return {
      ...request,
      method: 'DELETE',
      path: `/cart/items/${bookB}`,
      headers: { authorization: shopper.authorization },
      body: undefined,
    }
  }
  const onResponse = (status: number, body: string) => {
    if (status !== 200) return
    const cart = JSON.parse(body) as { userId: string; version: number; updatedAt: number }
    mutations.push({ userId: cart.userId, version: cart.version, committedAt: cart.updatedAt })
  }
  return (): autocannon.Request[] => [{ setupRequest, onResponse }]
}

interface Step {
  label: string
  askedRate: number
  /** Mutations answered 200, per second of load. */
  achievedRate: number
  saturated: boolean
  mutations: number
  /** 4xx: an add or remove that crossed another change of the same cart, not a mutation. */
  refused: number
  overload: Overload
  /** Errors, timeouts and 5xx: requests the load wanted answered that were not. */
  failedRequests: number
  lagP50Ms: number
  lagP99Ms: number
  lagMaxMs: number
  /** Mutations not in PostgreSQL BENCH_CATCH_UP s after the step (their lag counts as so far). */
  notPersisted: number
  databaseWrites: number
  writesPerMutation: number
  hotCart: { mutations: number; databaseWrites: number; writesPerMutation: number }
  cpu: CpuShares
  /** Lag p99 < 1 s and nothing left behind. */
  lagOk: boolean
  /** PostgreSQL caught up at last (within 3 x BENCH_CATCH_UP s): the next step starts clean. */
  drained: boolean
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number)
const round3 = (value: number) => Math.round(value * 1000) / 1000

interface Rig {
  cartApi: Server
  redis: Redis
  database: BenchDatabase
  shoppers: Shopper[]
  hot: Shopper
}

/** The newest version of each cart among `mutations`. */
function newestVersions(mutations: readonly Mutation[]): Map<string, number> {
  const newest = new Map<string, number>()
  for (const mutation of mutations)
    newest.set(mutation.userId, Math.max(newest.get(mutation.userId) ?? 0, mutation.version))
  return newest
}

/** One load at `rate` for `durationSec`, then its lags once PostgreSQL caught up (or gave up). */
async function runStep(rig: Rig, label: string, rate: number, durationSec: number): Promise<Step> {
  const [before] = await rig.database.query<{ last: string }>(
    'SELECT coalesce(max(id), 0) AS last FROM bench_cart_writes',
  )
  const mutations: Mutation[] = []
  const load = await runLoad(
    {
      url: rig.cartApi.url,
      requests: mutationRequests(rig.shoppers, rig.hot, mutations),
      connections: settings.connections,
      durationSec,
      overallRate: rate,
    },
    { redis: rig.redis, serverPid: rig.cartApi.pid },
  )
  const loadEnded = Date.now()
  const newest = newestVersions(mutations)
  const caughtUp = await waitForVersions(rig.database, newest, settings.catchUpSec * 1000)
  const gaveUpAt = Date.now()

  const writes = await rig.database.query<{ user_id: string; version: string; written_ms: string }>(
    `SELECT user_id, version, (extract(epoch from written_at) * 1000)::bigint AS written_ms
       FROM bench_cart_writes WHERE id > $1 ORDER BY user_id, version`,
    [before?.last ?? '0'],
  )
  const writesByUser = new Map<string, Array<{ version: number; at: number }>>()
  for (const row of writes) {
    const list = writesByUser.get(row.user_id) ?? []
    list.push({ version: Number(row.version), at: Number(row.written_ms) })
    writesByUser.set(row.user_id, list)
  }
  // Writes of one cart only ever go up in version (the guard), so the first write at a version >= v
  // is the one that made mutation v durable. Only such writes count: requests still in flight when
  // autocannon stopped were committed unseen, and a write of theirs alone made no mutation durable.
  const lags: number[] = []
  let notPersisted = 0
  const covering = new Set<{ version: number; at: number }>()
  let hotWrites = 0
  for (const mutation of mutations) {
    const list = writesByUser.get(mutation.userId) ?? []
    let low = 0
    let high = list.length
    while (low < high) {
      const mid = (low + high) >> 1
      if ((list[mid] as { version: number }).version >= mutation.version) high = mid
      else low = mid + 1
    }
    const write = list[low]
    if (write === undefined) notPersisted++
    else if (!covering.has(write)) {
      covering.add(write)
      if (mutation.userId === hotUser) hotWrites++
    }
    lags.push(Math.max(0, (write?.at ?? gaveUpAt) - mutation.committedAt))
  }
  lags.sort((a, b) => a - b)
  const hotMutations = mutations.filter((mutation) => mutation.userId === hotUser).length
  const status5xx = Object.entries(load.statusCodes)
    .filter(([code]) => Number(code) >= 500)
    .reduce((sum, [, count]) => sum + count, 0)
  const achievedRate = Math.round(mutations.length / durationSec)
  const lagP99Ms = quantile(lags, 0.99)
  const step: Step = {
    label,
    askedRate: rate,
    achievedRate,
    saturated: achievedRate < rate * 0.9,
    mutations: mutations.length,
    refused: load.non2xx - status5xx,
    overload: {
      errors: load.errors,
      timeouts: load.timeouts,
      status503: load.status503,
      non2xx: load.non2xx,
    },
    failedRequests: load.errors + load.timeouts + status5xx,
    lagP50Ms: quantile(lags, 0.5),
    lagP99Ms,
    lagMaxMs: lags.at(-1) ?? 0,
    notPersisted,
    databaseWrites: covering.size,
    writesPerMutation: round3(covering.size / Math.max(1, mutations.length)),
    hotCart: {
      mutations: hotMutations,
      databaseWrites: hotWrites,
      writesPerMutation: round3(hotWrites / Math.max(1, hotMutations)),
    },
    cpu: load.cpu,
    lagOk: notPersisted === 0 && lagP99Ms < target.lagP99Ms,
    // The next step must not start on this one's backlog.
    drained: caughtUp || (await waitForVersions(rig.database, newest, settings.catchUpSec * 2 * 1000)),
  }
  console.log(
    `${label.padEnd(22)} ${String(rate).padStart(6)}/s asked, ${String(achievedRate).padStart(6)}/s done` +
      `${step.saturated ? ' (saturated)' : ''}: lag p50 ${step.lagP50Ms} ms, p99 ${lagP99Ms} ms, max ${step.lagMaxMs} ms, ` +
      `${notPersisted} not persisted${caughtUp ? '' : ` ${settings.catchUpSec} s after the load`} ` +
      `(caught up ${caughtUp ? `${gaveUpAt - loadEnded} ms after` : 'NOT'}); ${step.refused} refused, ` +
      `${describeOverload(step.overload)}; ${step.writesPerMutation} writes per mutation; ` +
      `cpu: cart-api ${load.cpu.server ?? '?'}%, redis ${load.cpu.redis}%, autocannon ${load.cpu.loadGenerator}%`,
  )
  if (!step.drained) console.log(`PostgreSQL still behind ${settings.catchUpSec * 3} s after ${label}`)
  return step
}

/**
 * The ladder above the main run (lib/ladder), until the steps run out. It stops early after a step
 * PostgreSQL never caught up with: what follows would measure its backlog.
 */
async function climb(rig: Rig, main: Step): Promise<Step[]> {
  const steps: Step[] = []
  const passes = (step: Step) => step.lagOk && !step.saturated
  let highestPass = passes(main) ? main.askedRate : undefined
  let lowestFailure = passes(main) ? undefined : main.askedRate
  while (steps.length < settings.maxSteps && (steps.at(-1) ?? main).drained) {
    const rate = nextLadderRate(highestPass, lowestFailure, steps.length)
    if (rate === undefined) break
    const step = await runStep(rig, `step ${steps.length + 1}`, rate, settings.stepDurationSec)
    steps.push(step)
    if (passes(step)) highestPass = Math.max(highestPass ?? 0, rate)
    else lowestFailure = Math.min(lowestFailure ?? rate, rate)
  }
  return steps
}

async function main() {
  const redisUrl = await chooseRedis()
  const redis = new Redis(redisUrl, { connectionName: 'persist-bench' })
  onCleanUp('redis connection', () => redis.quit())
  cleanUpRunKeys(redis, runId)
  // Before any app runs: the calibration wants the machine to itself.
  const calibration: Calibration = await obtainCalibration(redisUrl)
  const evalsha = Math.max(1, calibration.bareEvalsha.reqPerSec)
  const mainRate = settings.fixedRate ?? Math.max(1, Math.round(settings.rateShare * evalsha))
  const testDatabase = await createTestDatabase()
  onCleanUp('bench database', () => testDatabase.drop())

  console.log(
    `bench persist (${runId}): ${mainRate} mutations/s (${formatNumber(mainRate / evalsha)} x bare EVALSHA ` +
      `${evalsha} req/s) for ${settings.durationSec} s, then up to ${settings.maxSteps} steps of ` +
      `${settings.stepDurationSec} s; ${settings.users} carts + 1 hot cart (${settings.hotSharePercent}% of ` +
      `changes), ${settings.connections} connections, redis ${redisUrl}`,
  )
  for (const bookId of [bookA, bookB])
    await seedBook(redis, { bookId, title: 'Persisting Carts', priceCents: 1500, stock: 1_000_000 })
  const keys = generateTestKeys()
  const shopperOf = async (id: string): Promise<Shopper> => ({
    id,
    authorization: `Bearer ${await signTestToken(keys.privateKey, id, { expiresIn: 24 * 3600 })}`,
    sent: 0,
  })
  const shoppers = await Promise.all(
    Array.from({ length: settings.users }, (_, index) => shopperOf(userId(index))),
  )
  const hot = await shopperOf(hotUser)

  const common = {
    REDIS_URL: redisUrl,
    DATABASE_URL: testDatabase.url,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    QUEUE_PREFIX: runId,
  }
  // The worker first: it applies the migrations.
  await startServer('persistence-worker', ['apps/persistence-worker/dist/main.js'], common)
  const cartApi = await startServer('cart-api', ['apps/cart-api/dist/main.js'], common)
  const database = openBenchDatabase(testDatabase.url)

  // Every cart gets book A before the clock starts (its first touch also creates the cart).
  for (let index = 0; index < shoppers.length; index += 200)
    await Promise.all(
      [...shoppers.slice(index, index + 200), ...(index === 0 ? [hot] : [])].map(async (shopper) => {
        const response = await fetch(`${cartApi.url}/cart/items`, {
          method: 'POST',
          headers: { authorization: shopper.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ bookId: bookA }),
        })
        if (response.status !== 200)
          throw new Error(`setup add answered ${response.status}: ${await response.text()}`)
      }),
    )
  // Wait for those to land, then log every carts row write from here on.
  if (!(await waitForVersions(database, new Map([...shoppers, hot].map((s) => [s.id, 1])), 60_000)))
    throw new Error('the setup adds did not reach PostgreSQL within 60 s')
  await database.query(`
    CREATE TABLE bench_cart_writes (id bigserial PRIMARY KEY, user_id text NOT NULL, version bigint NOT NULL,
      written_at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE FUNCTION bench_log_cart_write() RETURNS trigger AS $$
    BEGIN INSERT INTO bench_cart_writes (user_id, version) VALUES (NEW.user_id, NEW.version); RETURN NEW; END
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER bench_log_cart_write AFTER INSERT OR UPDATE ON carts
      FOR EACH ROW EXECUTE FUNCTION bench_log_cart_write();
  `)

  const rig: Rig = { cartApi, redis, database, shoppers, hot }
  const mainStep = await runStep(rig, 'main run', mainRate, settings.durationSec)
  const ladder = await climb(rig, mainStep)
  await cleanUp()

  // The highest rate any step achieved with the lag in bounds, saturated steps included.
  const best = [mainStep, ...ladder]
    .filter((step) => step.lagOk)
    .sort((a, b) => b.achievedRate - a.achievedRate)[0]
  const failedRates = ladder.filter((step) => !step.lagOk).map((step) => step.askedRate)
  const limitedBy = best?.saturated
    ? 'the load (cart-api or the generator could not go faster)'
    : failedRates.length > 0
      ? `lag p99 >= 1 s from ${Math.min(...failedRates)}/s`
      : `the steps (${settings.maxSteps}): a lower bound`
  const share = (rate: number) => round3(rate / evalsha)
  const rows = [
    checked(
      `lag p99, main run at ${formatNumber(share(mainRate))} x bare EVALSHA`,
      mainStep.lagP99Ms,
      'ms',
      { op: '<', value: target.lagP99Ms },
      `${formatNumber(mainRate)}/s asked, ${formatNumber(mainStep.achievedRate)}/s done; p50 ${mainStep.lagP50Ms} ms, max ${mainStep.lagMaxMs} ms; ` +
        `${mainStep.notPersisted} not persisted`,
    ),
    checked(
      'hot cart: database writes per mutation',
      mainStep.hotCart.writesPerMutation,
      '',
      { op: '<', value: target.hotWritesPerMutation },
      `${mainStep.hotCart.databaseWrites} writes for ${mainStep.hotCart.mutations} mutations ` +
        `(${Math.round(mainStep.hotCart.mutations / settings.durationSec)}/s on the hot cart)`,
    ),
    figure(
      'all carts: database writes per mutation',
      mainStep.writesPerMutation,
      '',
      `${mainStep.databaseWrites} writes for ${mainStep.mutations} mutations`,
    ),
    checked(
      'main run: requests failed (error, timeout, 5xx)',
      mainStep.failedRequests,
      '',
      { op: '=', value: 0 },
      `${describeOverload(mainStep.overload)}; ${mainStep.refused} refused (4xx, crossing changes)`,
    ),
    checked(
      'highest rate with lag p99 < 1 s, x bare EVALSHA',
      share(best?.achievedRate ?? 0),
      '',
      { op: '>=', value: round3(target.rateShare) },
      `${formatNumber(best?.achievedRate ?? 0)} mutations/s; limited by ${limitedBy}`,
    ),
  ]
  printReport(
    benchReport('persist', rows, {
      bareEvalshaReqPerSec: evalsha,
      highestRateLagOk: best?.achievedRate ?? 0,
      highestShareLagOk: share(best?.achievedRate ?? 0),
      limitedBy,
      main: mainStep,
      ladder,
      carts: settings.users + 1,
      target,
      settings,
    }),
  )
}

/** Polls until PostgreSQL holds at least these versions; false if the deadline passed first. */
async function waitForVersions(
  database: BenchDatabase,
  wanted: Map<string, number>,
  timeoutMs: number,
): Promise<boolean> {
  const ids = [...wanted.keys()]
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const rows = await database.query<{ user_id: string; version: string }>(
      'SELECT user_id, version FROM carts WHERE user_id = ANY($1)',
      [ids],
    )
    const stored = new Map(rows.map((row) => [row.user_id, Number(row.version)]))
    if (ids.every((id) => (stored.get(id) ?? 0) >= (wanted.get(id) ?? 0))) return true
    if (Date.now() > deadline) return false
    await sleep(100)
  }
}

await runBench(main)
