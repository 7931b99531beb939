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
import { createTestDatabase, generateTestKeys, signTestToken } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { benchAppEnv, cartRateLimitEnv } from './bench-settings'
import { type Calibration, obtainCalibration, referenceMachine } from './lib/calibration'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import type { CpuShares } from './lib/cpu'
import { intFromEnv, numberFromEnv, quick } from './lib/env'
import { nextLadderRate } from './lib/ladder'
import { runLoad } from './lib/load'
import { describeOverload, type Overload } from './lib/overload'
import {
  benchBooks,
  lastCartWrite,
  type Mutation,
  mutationRequests,
  newestVersions,
  type PersistRig,
  persistenceFigures,
  quantile,
  round3,
  type Shopper,
  startPersistRig,
  waitForVersions,
} from './lib/persist-rig'
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
const books = benchBooks(runId)

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

interface Rig extends PersistRig {
  redis: Redis
  hot: Shopper
}

/** One load at `rate` for `durationSec`, then its lags once PostgreSQL caught up (or gave up). */
async function runStep(rig: Rig, label: string, rate: number, durationSec: number): Promise<Step> {
  const before = await lastCartWrite(rig.database)
  const mutations: Mutation[] = []
  const load = await runLoad(
    {
      url: rig.cartApi.url,
      requests: mutationRequests(
        books,
        rig.shoppers,
        { shopper: rig.hot, sharePercent: settings.hotSharePercent },
        mutations,
      ),
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

  const figures = await persistenceFigures(rig.database, mutations, before, gaveUpAt, hotUser)
  const { lags, notPersisted } = figures
  const hotMutations = figures.hot.mutations
  const hotWrites = figures.hot.databaseWrites
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
    databaseWrites: figures.databaseWrites,
    writesPerMutation: round3(figures.databaseWrites / Math.max(1, mutations.length)),
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
  const started = await startPersistRig({
    redis,
    databaseUrl: testDatabase.url,
    books,
    shoppers: [...shoppers, hot],
    env: { ...benchAppEnv(redisUrl, keys.publicKeyPem, runId), ...cartRateLimitEnv() },
  })
  const rig: Rig = { ...started, shoppers, hot, redis }
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

await runBench(main)
