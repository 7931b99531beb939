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
 * Prints one line per run, then as the LAST line one JSON object with `ratio` (cart-api / bare
 * req/s; SPEC: >= 0.7). Exits non-zero if any request of any run did not answer 2xx.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS
 * (default 100), BENCH_ROUNDS (max-load runs per server, alternating, median counts; default 1),
 * BENCH_USERS (1000), BENCH_BOOKS (200), BENCH_BOOKS_PER_CART (5), REDIS_URL, and
 * BENCH_CPU_PROF=<dir> to write V8 CPU profiles of each server into <dir>/<server name>.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve as resolvePath } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { queueNames } from '@bookstore/events'
import {
  freePort,
  generateTestKeys,
  type PrivateRedis,
  redisAnswers,
  seedBook,
  signTestToken,
  startPrivateRedis,
} from '@bookstore/test-kit'
import autocannon from 'autocannon'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { benchBook, cartApiSettingsEnv } from './bench-settings'

const rootDir = fileURLToPath(new URL('..', import.meta.url))
const target = { ratio: 0.7, halfLoadP99Ms: 10 } as const

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number >= 1, got "${raw}"`)
  return value
}

const settings = {
  durationSec: intFromEnv('BENCH_DURATION', 10),
  warmupSec: intFromEnv('BENCH_WARMUP', 3),
  connections: intFromEnv('BENCH_CONNECTIONS', 100),
  users: intFromEnv('BENCH_USERS', 1000),
  books: intFromEnv('BENCH_BOOKS', 200),
  /**
   * Each user adds only from its own few books, so a cart stops growing after a few requests: the
   * script's work (decode, change, encode the cart) is then the same for both servers however
   * many requests each one manages, instead of growing with the server's own speed.
   */
  booksPerCart: intFromEnv('BENCH_BOOKS_PER_CART', 5),
  /** Max-load runs of each server, alternating; the median run counts. */
  rounds: intFromEnv('BENCH_ROUNDS', 1),
}

/** Every key the bench writes carries this id: users, books and the BullMQ prefix. */
const runId = `bench-${randomUUID().slice(0, 8)}`
const userId = (index: number) => `${runId}-user-${index}`
const bookId = (index: number) => `${runId}-book-${index}`

// ---------------------------------------------------------------------------------------------
// Things to undo, whatever happens.

const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = []
let cleanedUp: Promise<void> | undefined

/** Runs the cleanups newest first, once; a failing one is reported and the others still run. */
function cleanUp(): Promise<void> {
  cleanedUp ??= (async () => {
    for (const { name, run } of cleanups.reverse()) {
      try {
        await run()
      } catch (error) {
        console.error(`cleanup "${name}" failed:`, error)
      }
    }
  })()
  return cleanedUp
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`)
    void cleanUp().finally(() => process.exit(130))
  })
}

// ---------------------------------------------------------------------------------------------
// Redis and the server processes.

/** REDIS_URL if set (it must answer), else the local Redis, else a private redis-server. */
async function chooseRedis(): Promise<string> {
  const fromEnv = process.env.REDIS_URL
  if (fromEnv) {
    if (!(await redisAnswers(fromEnv))) throw new Error(`REDIS_URL=${fromEnv} does not answer`)
    return fromEnv
  }
  const local = 'redis://127.0.0.1:6379'
  if (await redisAnswers(local)) return local
  const privateRedis: PrivateRedis = await startPrivateRedis()
  cleanups.push({ name: 'private redis-server', run: () => privateRedis.stop() })
  return privateRedis.url
}

async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) deleted += await redis.unlink(...keys)
  } while (cursor !== '0')
  return deleted
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

interface Server {
  name: string
  url: string
  pid: number
  stop: () => Promise<void>
}

/** Starts a server process and waits until GET /health/ready answers 200. */
async function startServer(name: string, args: string[], env: Record<string, string>): Promise<Server> {
  const port = await freePort()
  const cpuProfileDir = process.env.BENCH_CPU_PROF
  const profiling = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolvePath(cpuProfileDir, name)}`] : []
  const child = spawn(process.execPath, [...profiling, ...args], {
    cwd: rootDir,
    env: { ...process.env, ...env, PORT: String(port) },
    // The servers' output goes to stderr, so that the JSON line stays the last line of stdout.
    stdio: ['ignore', 2, 2],
  })
  const stop = () => stopProcess(child)
  cleanups.push({ name, run: stop })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready`)
    }
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready after 30 s`)
    await sleep(100)
  }
  if (child.pid === undefined) throw new Error(`${name} has no pid`)
  return { name, url, pid: child.pid, stop }
}

// ---------------------------------------------------------------------------------------------
// CPU accounting, to see who is the bottleneck. The server's share is read from Linux /proc (in
// clock ticks, USER_HZ = 100) and left out elsewhere; Redis' share comes from INFO cpu.

const clockTicks = 100

function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks
  } catch {
    return undefined
  }
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const seconds = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0)
  return (seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1000
}

interface CpuShares {
  server?: number
  redis: number
  loadGenerator: number
}

async function measureCpu<T>(redis: Redis, serverPid: number, work: () => Promise<T>) {
  const startedAt = performance.now()
  const server = processCpuMs(serverPid)
  const redisCpu = await redisCpuMs(redis)
  const own = process.cpuUsage()
  const result = await work()
  const elapsed = performance.now() - startedAt
  const ownUsed = process.cpuUsage(own)
  const serverAfter = processCpuMs(serverPid)
  const share = (ms: number) => Math.round((ms / elapsed) * 100)
  const cpu: CpuShares = {
    redis: share((await redisCpuMs(redis)) - redisCpu),
    loadGenerator: share((ownUsed.user + ownUsed.system) / 1000),
  }
  if (server !== undefined && serverAfter !== undefined) cpu.server = share(serverAfter - server)
  return { result, cpu }
}

// ---------------------------------------------------------------------------------------------
// Load.

interface Pick {
  authorization: string
  cartApiBody: string
  bareBody: string
}

type Route = 'cart-api' | 'bare'
const routePath = { 'cart-api': '/cart/items', bare: '/add-item' } as const satisfies Record<Route, string>

function requestsFor(route: Route, picks: readonly Pick[]): autocannon.Request[] {
  const randomPick = () => picks[Math.floor(Math.random() * picks.length)] as Pick
  const setupRequest =
    route === 'cart-api'
      ? (request: autocannon.Request): autocannon.Request => {
          const pick = randomPick()
          return {
            ...request,
            method: 'POST',
            path: routePath['cart-api'],
            headers: { 'content-type': 'application/json', authorization: pick.authorization },
            body: pick.cartApiBody,
          }
        }
      : (request: autocannon.Request): autocannon.Request => ({
          ...request,
          method: 'POST',
          path: routePath.bare,
          headers: { 'content-type': 'application/json' },
          body: randomPick().bareBody,
        })
  return [{ setupRequest }]
}

interface RunFigures {
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  requests: number
  non2xx: number
  errors: number
  statusCodes: Record<string, number>
  cpu: CpuShares
}

/** One autocannon instance: its connections, its own fixed rate (if any) and when it starts. */
interface Shooter {
  connections: number
  overallRate?: number
  startAfterMs: number
}

/**
 * autocannon limits a rate by letting every connection send its quota for the second back to back
 * as soon as the second starts, so one instance at half load is a burst of every connection at
 * full speed followed by silence, and its p99 is the max-load p99. Spreading the rate over one
 * single-connection instance per connection, started evenly over the first second, sends the
 * same number of requests as short chains spread over each second: close to a steady rate.
 */
function shooters(rate: number | undefined): Shooter[] {
  if (rate === undefined) return [{ connections: settings.connections, startAfterMs: 0 }]
  const count = Math.min(settings.connections, rate)
  return Array.from({ length: count }, (_, index) => ({
    connections: 1,
    overallRate: Math.floor(rate / count) + (index < rate % count ? 1 : 0),
    startAfterMs: Math.round((index * 1000) / count),
  }))
}

function fire(options: autocannon.Options, onResponse: (status: number, ms: number) => void) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, result: autocannon.Result) =>
      error ? reject(error) : resolve(result),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) =>
      onResponse(statusCode, responseTime),
    )
  })
}

/** The latency at quantile q (nearest rank) of sorted values, in ms with 2 decimals. */
const quantile = (sorted: Float64Array, q: number) =>
  sorted.length === 0
    ? 0
    : Math.round((sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0) * 100) / 100

/** The run with the median throughput (of an even count, the lower one). */
const median = (runs: RunFigures[]) =>
  [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor((runs.length - 1) / 2)] as RunFigures

const failures: string[] = []

async function runLoad(
  label: string,
  server: Server,
  route: Route,
  picks: readonly Pick[],
  redis: Redis,
  options: { durationSec: number; overallRate?: number },
): Promise<RunFigures> {
  // Latencies are recorded here (exact, sub-millisecond) rather than read from autocannon's
  // histogram, which keeps whole milliseconds and, with a rate, adds made-up samples.
  const latencies: number[] = []
  const { result: results, cpu } = await measureCpu(redis, server.pid, () =>
    Promise.all(
      shooters(options.overallRate).map(async (shooter) => {
        await sleep(shooter.startAfterMs)
        return fire(
          {
            url: server.url,
            connections: shooter.connections,
            pipelining: 1,
            duration: options.durationSec,
            requests: requestsFor(route, picks),
            ...(shooter.overallRate ? { overallRate: shooter.overallRate } : {}),
          },
          (status, ms) => {
            if (status >= 200 && status < 300) latencies.push(ms)
          },
        )
      }),
    ),
  )
  const sorted = Float64Array.from(latencies).sort()
  const statusCodes: Record<string, number> = {}
  for (const result of results) {
    for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
      statusCodes[code] = (statusCodes[code] ?? 0) + (count ?? 0)
    }
  }
  const sum = (pick: (result: autocannon.Result) => number) =>
    results.reduce((total, r) => total + pick(r), 0)
  const figures: RunFigures = {
    reqPerSec: Math.round(sum((result) => result.requests.total / result.duration)),
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    requests: sum((result) => result.requests.total),
    non2xx: sum((result) => result.non2xx),
    errors: sum((result) => result.errors),
    statusCodes,
    cpu,
  }
  const cpuText = [
    figures.cpu.server === undefined ? undefined : `server ${figures.cpu.server}%`,
    `redis ${figures.cpu.redis}%`,
    `autocannon ${figures.cpu.loadGenerator}%`,
  ]
    .filter(Boolean)
    .join(', ')
  console.log(
    `${label.padEnd(34)} ${String(figures.reqPerSec).padStart(6)} req/s   p50 ${figures.p50Ms} ms   p99 ${figures.p99Ms} ms   ` +
      `${figures.requests} requests, ${figures.non2xx} non-2xx, ${figures.errors} errors   cpu: ${cpuText}`,
  )
  if (figures.non2xx > 0 || figures.errors > 0) {
    failures.push(
      `${label}: ${figures.non2xx} non-2xx, ${figures.errors} errors, status codes ${JSON.stringify(statusCodes)}`,
    )
    await showOneAnswer(server, route, picks)
  }
  return figures
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

async function main() {
  const redisUrl = await chooseRedis()
  const redis = new Redis(redisUrl, { connectionName: 'cart-bench' })
  cleanups.push({ name: 'redis connection', run: () => redis.quit() })
  cleanups.push({
    name: 'bench keys',
    run: async () => {
      const queue = new Queue(queueNames.cartPersistence, { connection: redis, prefix: runId })
      await queue.obliterate({ force: true })
      await queue.close()
      let deleted = 0
      for (const pattern of [`cart:{${runId}-*`, `book:${runId}-*`, `${runId}:*`]) {
        deleted += await deleteKeys(redis, pattern)
      }
      console.log(`cleaned up: persistence queue obliterated, ${deleted} keys deleted`)
    },
  })

  console.log(
    `bench cart (${runId}): ${settings.connections} connections, pipelining 1, ${settings.warmupSec} s warm-up + ` +
      `${settings.durationSec} s per run, ${settings.users} users x ${settings.booksPerCart} of ${settings.books} books, ` +
      `redis ${redisUrl}`,
  )

  // The data: books in the read model, a signed token per user, the (user, book) pairs to pick from.
  await Promise.all(
    Array.from({ length: settings.books }, (_, index) =>
      seedBook(redis, {
        bookId: bookId(index),
        title: benchBook.title,
        priceCents: benchBook.priceCents,
        stock: benchBook.stock,
      }),
    ),
  )
  const keys = generateTestKeys()
  const tokens = await Promise.all(
    Array.from({ length: settings.users }, (_, index) =>
      signTestToken(keys.privateKey, userId(index), { expiresIn: 24 * 3600 }),
    ),
  )
  const picks: Pick[] = tokens.flatMap((token, user) =>
    Array.from({ length: settings.booksPerCart }, (_, slot) => {
      const book = bookId((user * settings.booksPerCart + slot) % settings.books)
      return {
        authorization: `Bearer ${token}`,
        cartApiBody: JSON.stringify({ bookId: book, quantity: 1 }),
        bareBody: JSON.stringify({ userId: userId(user), bookId: book, quantity: 1 }),
      }
    }),
  )

  // Both servers stay up for the whole bench (an idle one costs nothing), so that their max-load
  // runs can follow each other closely: the machine changes less between the two figures.
  const cartApiServer = await startServer('cart-api', ['apps/cart-api/dist/main.js'], {
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    QUEUE_PREFIX: runId,
    ...cartApiSettingsEnv,
  })
  const bareServer = await startServer(
    'bare',
    ['--conditions=source', '--import', 'tsx', 'bench/bare-server.ts'],
    {
      REDIS_URL: redisUrl,
    },
  )
  const warmUp = { durationSec: settings.warmupSec }
  await runLoad('cart-api warm-up', cartApiServer, 'cart-api', picks, redis, warmUp)
  await runLoad('bare warm-up', bareServer, 'bare', picks, redis, warmUp)

  const cartApiRuns: RunFigures[] = []
  const bareRuns: RunFigures[] = []
  for (let round = 1; round <= settings.rounds; round++) {
    const suffix = settings.rounds > 1 ? ` (${round}/${settings.rounds})` : ''
    cartApiRuns.push(
      await runLoad(`cart-api max${suffix}`, cartApiServer, 'cart-api', picks, redis, settings),
    )
    bareRuns.push(
      await runLoad(`bare Fastify + EVALSHA max${suffix}`, bareServer, 'bare', picks, redis, settings),
    )
  }
  const cartApi = median(cartApiRuns)
  const bare = median(bareRuns)

  const halfRate = Math.max(1, Math.round(cartApi.reqPerSec / 2))
  const halfLoad = await runLoad(`cart-api at ${halfRate} req/s`, cartApiServer, 'cart-api', picks, redis, {
    durationSec: settings.durationSec,
    overallRate: halfRate,
  })
  await cartApiServer.stop()
  await bareServer.stop()

  await cleanUp()
  if (failures.length > 0) throw new Error(`some requests did not answer 2xx:\n  ${failures.join('\n  ')}`)

  const ratio = bare.reqPerSec > 0 ? Math.round((cartApi.reqPerSec / bare.reqPerSec) * 1000) / 1000 : 0
  const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES')
  console.log(
    `ratio cart-api / bare: ${ratio} (${verdict(ratio >= target.ratio)} target >= ${target.ratio}); ` +
      `p99 at half load: ${halfLoad.p99Ms} ms (${verdict(halfLoad.p99Ms < target.halfLoadP99Ms)} target < ${target.halfLoadP99Ms} ms)`,
  )
  const summary = (figures: RunFigures, runs: RunFigures[]) => ({
    reqPerSec: figures.reqPerSec,
    p50Ms: figures.p50Ms,
    p99Ms: figures.p99Ms,
    requests: figures.requests,
    ...(runs.length > 1 ? { runsReqPerSec: runs.map((run) => run.reqPerSec) } : {}),
  })
  console.log(
    JSON.stringify({
      bench: 'cart',
      cartApi: summary(cartApi, cartApiRuns),
      bare: summary(bare, bareRuns),
      ratio,
      halfLoad: {
        rate: halfRate,
        reqPerSec: halfLoad.reqPerSec,
        p50Ms: halfLoad.p50Ms,
        p99Ms: halfLoad.p99Ms,
      },
      target,
      settings: { ...settings, pipelining: 1 },
    }),
  )
}

try {
  await main()
} catch (error) {
  console.error('bench failed:', error)
  await cleanUp()
  process.exit(1)
}
