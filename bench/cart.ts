/**
 * `pnpm bench:cart`: how much of Redis' speed cart-api keeps on its hottest path (add-item).
 *
 * The same load (autocannon, random user and book per request) runs against
 *   1. cart-api, started from its build (apps/cart-api/dist/main.js) as in production,
 *   2. a bare Fastify route that makes the same single EVALSHA of the same script (bench/bare-server.ts),
 *   3. cart-api again at a fixed rate of half its measured maximum (SPEC: p99 < 10 ms there).
 * Each server runs in its own process, so that it does not share a core with the load generator
 * (Redis needs CPU too: the cpu figures printed per run show who was busy).
 *
 * Prints one line per run and the table of its figures, then as the LAST line one JSON object with
 * `ratio` (cart-api / bare req/s; SPEC: >= 0.7). A request without a 2xx answer (error, timeout,
 * 503, other status) is counted and fails the row that counts them; the bench still reports.
 *
 * Environment: BENCH_QUICK=1 (3 s runs, 1 s warm-up), BENCH_DURATION (s, default 10),
 * BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS
 * (default 100), BENCH_ROUNDS (max-load runs per server, alternating, median counts; default 1),
 * BENCH_USERS (1000), BENCH_BOOKS (200), BENCH_BOOKS_PER_CART (5), REDIS_URL, and
 * BENCH_CPU_PROF=<dir> to write V8 CPU profiles of each server into <dir>/<server name>.
 */
import { randomUUID } from 'node:crypto'
import type autocannon from 'autocannon'
import { Redis } from 'ioredis'
import { addItemLoadShape, benchCartApiEnv } from './bench-settings'
import { prepareAddItemLoad } from './lib/add-item-load'
import { bareAddItemBody, bareAddItemRequests, bareRoutes, startBareServer } from './lib/calibration'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { intFromEnv, quick } from './lib/env'
import { describeRun, median, type RunFigures, runFailure, runLoad } from './lib/load'
import { addOverload, describeOverload, noOverload, notOk } from './lib/overload'
import { type Server, startServer } from './lib/processes'
import { chooseRedis, cleanUpRunKeys } from './lib/redis-target'
import { benchReport, checked, formatNumber, printReport } from './lib/report'

const target = { ratio: 0.7, halfLoadP99Ms: 10 } as const

const settings = {
  durationSec: intFromEnv('BENCH_DURATION', quick ? 3 : 10),
  warmupSec: intFromEnv('BENCH_WARMUP', quick ? 1 : 3),
  connections: intFromEnv('BENCH_CONNECTIONS', addItemLoadShape.connections),
  users: intFromEnv('BENCH_USERS', addItemLoadShape.users),
  books: intFromEnv('BENCH_BOOKS', addItemLoadShape.books),
  /** See addItemLoadShape: a cart stops growing after a few requests. */
  booksPerCart: intFromEnv('BENCH_BOOKS_PER_CART', addItemLoadShape.booksPerCart),
  /** Max-load runs of each server, alternating; the median run counts. */
  rounds: intFromEnv('BENCH_ROUNDS', 1),
}

/** Every key the bench writes carries this id: users, books and the BullMQ prefix. */
const runId = `bench-${randomUUID().slice(0, 8)}`

// ---------------------------------------------------------------------------------------------
// The requests: a random (user, book) pick each, as cart-api or the bare route wants it.

interface Pick {
  authorization: string
  cartApiBody: string
  bareBody: string
}

type Route = 'cart-api' | 'bare'
const routePath = { 'cart-api': '/cart/items', bare: bareRoutes.addItem } as const satisfies Record<
  Route,
  string
>

function requestsFor(route: Route, picks: readonly Pick[]): autocannon.Request[] {
  if (route === 'bare') return bareAddItemRequests(picks.map((pick) => pick.bareBody))
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const pick = picks[Math.floor(Math.random() * picks.length)] as Pick
    return {
      ...request,
      method: 'POST',
      path: routePath['cart-api'],
      headers: { 'content-type': 'application/json', authorization: pick.authorization },
      body: pick.cartApiBody,
    }
  }
  return [{ setupRequest }]
}

/** After a failed run: one request by hand, to show what the server answers. */
async function showOneAnswer(server: Server, route: Route, picks: readonly Pick[]) {
  const pick = picks[0] as Pick
  try {
    const response = await fetch(`${server.url}${routePath[route]}`, {
      method: 'POST',
      headers:
        route === 'cart-api'
          ? { 'content-type': 'application/json', authorization: pick.authorization }
          : { 'content-type': 'application/json' },
      body: route === 'cart-api' ? pick.cartApiBody : pick.bareBody,
    })
    console.error(`${server.name} answers ${response.status}: ${(await response.text()).slice(0, 500)}`)
  } catch (error) {
    console.error(`${server.name} does not answer:`, error)
  }
}

// ---------------------------------------------------------------------------------------------
// One run: its line, and what went wrong (counted over every run, warm-ups included).

const failures: string[] = []
const overload = noOverload()

async function runCartLoad(
  label: string,
  server: Server,
  route: Route,
  picks: readonly Pick[],
  redis: Redis,
  options: { durationSec: number; overallRate?: number },
): Promise<RunFigures> {
  const figures = await runLoad(
    {
      url: server.url,
      requests: () => requestsFor(route, picks),
      connections: settings.connections,
      durationSec: options.durationSec,
      overallRate: options.overallRate,
    },
    { redis, serverPid: server.pid },
  )
  console.log(describeRun(label, figures))
  const failure = runFailure(label, figures)
  if (failure !== undefined) {
    failures.push(failure)
    await showOneAnswer(server, route, picks)
  }
  addOverload(overload, figures)
  return figures
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const redisUrl = await chooseRedis()
  const redis = new Redis(redisUrl, { connectionName: 'cart-bench' })
  onCleanUp('redis connection', () => redis.quit())
  cleanUpRunKeys(redis, runId)

  console.log(
    `bench cart (${runId}): ${settings.connections} connections, pipelining 1, ${settings.warmupSec} s warm-up + ` +
      `${settings.durationSec} s per run, ${settings.users} users x ${settings.booksPerCart} of ${settings.books} books, ` +
      `redis ${redisUrl}`,
  )

  const { keys, pairs } = await prepareAddItemLoad(redis, runId, settings)
  const picks: Pick[] = pairs.map((pair) => ({
    authorization: pair.authorization,
    cartApiBody: pair.body,
    bareBody: bareAddItemBody(pair),
  }))

  // Both servers stay up for the whole bench (an idle one costs nothing), so that their max-load
  // runs can follow each other closely: the machine changes less between the two figures.
  const cartApiServer = await startServer(
    'cart-api',
    ['apps/cart-api/dist/main.js'],
    benchCartApiEnv(redisUrl, keys.publicKeyPem, runId),
  )
  const bareServer = await startBareServer(redisUrl)
  const warmUp = { durationSec: settings.warmupSec }
  await runCartLoad('cart-api warm-up', cartApiServer, 'cart-api', picks, redis, warmUp)
  await runCartLoad('bare warm-up', bareServer, 'bare', picks, redis, warmUp)

  const cartApiRuns: RunFigures[] = []
  const bareRuns: RunFigures[] = []
  for (let round = 1; round <= settings.rounds; round++) {
    const suffix = settings.rounds > 1 ? ` (${round}/${settings.rounds})` : ''
    cartApiRuns.push(
      await runCartLoad(`cart-api max${suffix}`, cartApiServer, 'cart-api', picks, redis, settings),
    )
    bareRuns.push(
      await runCartLoad(`bare Fastify + EVALSHA max${suffix}`, bareServer, 'bare', picks, redis, settings),
    )
  }
  const cartApi = median(cartApiRuns)
  const bare = median(bareRuns)

  const halfRate = Math.max(1, Math.round(cartApi.reqPerSec / 2))
  const halfLoad = await runCartLoad(
    `cart-api at ${halfRate} req/s`,
    cartApiServer,
    'cart-api',
    picks,
    redis,
    {
      durationSec: settings.durationSec,
      overallRate: halfRate,
    },
  )
  await cartApiServer.stop()
  await bareServer.stop()

  await cleanUp()
  if (failures.length > 0) console.error(`some requests did not answer 2xx:\n  ${failures.join('\n  ')}`)

  const ratio = bare.reqPerSec > 0 ? Math.round((cartApi.reqPerSec / bare.reqPerSec) * 1000) / 1000 : 0
  const summary = (figures: RunFigures, runs: RunFigures[]) => ({
    reqPerSec: figures.reqPerSec,
    p50Ms: figures.p50Ms,
    p99Ms: figures.p99Ms,
    requests: figures.requests,
    ...(runs.length > 1 ? { runsReqPerSec: runs.map((run) => run.reqPerSec) } : {}),
  })
  const rows = [
    checked(
      'cart-api / bare EVALSHA route, max load',
      ratio,
      '',
      { op: '>=', value: target.ratio },
      `${formatNumber(cartApi.reqPerSec)} vs ${formatNumber(bare.reqPerSec)} req/s, same run`,
    ),
    checked(
      'cart-api p99 at half its max load',
      halfLoad.p99Ms,
      'ms',
      { op: '<', value: target.halfLoadP99Ms },
      `${formatNumber(halfRate)} req/s asked, ${formatNumber(halfLoad.reqPerSec)} done`,
    ),
    checked(
      'cart requests without a 2xx answer',
      notOk(overload),
      '',
      { op: '=', value: 0 },
      describeOverload(overload),
    ),
  ]
  printReport(
    benchReport('cart', rows, {
      cartApi: summary(cartApi, cartApiRuns),
      bare: summary(bare, bareRuns),
      ratio,
      halfLoad: {
        rate: halfRate,
        reqPerSec: halfLoad.reqPerSec,
        p50Ms: halfLoad.p50Ms,
        p99Ms: halfLoad.p99Ms,
      },
      overload,
      target,
      settings: { ...settings, pipelining: 1 },
    }),
  )
}

await runBench(main)
