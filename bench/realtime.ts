/**
 * `pnpm bench:realtime`: cart change to WebSocket delivery with thousands of sockets open (SPEC:
 * p99 < 25 ms with 5,000 sockets; < 10 KB per idle socket).
 *
 * realtime-gateway and cart-api run from their builds, each in its own process; this process holds
 * the sockets (BENCH_SOCKETS over BENCH_USERS users, several tabs each), and a driver process
 * (bench/realtime-driver.ts) sends changes through cart-api over HTTP at BENCH_RATE changes/s,
 * round-robin over the users, for BENCH_DURATION s.
 * A change's latency runs from its commit (cart.updatedAt, set by cart-api) to its arrival at a
 * socket, for every socket of the user; every delivery must arrive, in version order.
 * Memory per socket: the gateway's RSS after a full garbage collection (asked over its inspector
 * port) with the sockets open and idle for BENCH_IDLE s, minus the same after a warm-up batch of
 * sockets came and went, over the number of sockets; also its JS heap share, and the RSS without
 * the collection (lowest of one reading per idle second).
 *
 * Missing or out-of-order deliveries and changes cart-api did not answer 200 (errors, timeouts,
 * 503, other statuses) are counted and shown as failing rows, never thrown. Prints the table; the
 * LAST line is one JSON object.
 *
 * Environment: BENCH_QUICK=1 (5 s of changes, 1 s warm-up, 3 s idle), BENCH_SOCKETS (5000),
 * BENCH_USERS (1000), BENCH_RATE (500), BENCH_DURATION (10), BENCH_WARMUP (2, seconds of uncounted
 * changes first), BENCH_IDLE (10), REDIS_URL. Needs a file limit above BENCH_SOCKETS + a few
 * hundred (ulimit -n).
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { REALTIME_PATH } from '@bookstore/events'
import { freePort, generateTestKeys, seedBook, signTestToken } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { benchBook, cartApiSettingsEnv } from './bench-settings'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { measureCpu } from './lib/cpu'
import { intFromEnv, quick } from './lib/env'
import { quantile } from './lib/load'
import { describeOverload, noOverload, notOk, type Overload } from './lib/overload'
import { memoryAfterGc, rssOf } from './lib/process-memory'
import { startServer } from './lib/processes'
import { changeRounds, socketHolder, startDriver } from './lib/realtime-load'
import { chooseRedis, cleanUpRunKeys } from './lib/redis-target'
import { benchReport, checked, formatNumber, printReport } from './lib/report'

const target = { p99Ms: 25, bytesPerIdleSocket: 10 * 1024 } as const

const settings = {
  sockets: intFromEnv('BENCH_SOCKETS', 5000),
  users: intFromEnv('BENCH_USERS', 1000),
  rate: intFromEnv('BENCH_RATE', 500),
  durationSec: intFromEnv('BENCH_DURATION', quick ? 5 : 10),
  /** Seconds of changes before the measured ones. */
  warmupSec: intFromEnv('BENCH_WARMUP', quick ? 1 : 2),
  /** Seconds the open sockets stay idle while the gateway's RSS is read. */
  idleSec: intFromEnv('BENCH_IDLE', quick ? 3 : 10),
}

const runId = `bench-${randomUUID().slice(0, 8)}`
const userId = (index: number) => `${runId}-user-${index}`
const bookId = `${runId}-book`

/**
 * The gateway's own view (its realtime_delivery_latency_seconds histogram, commit to hand-over to
 * the sockets): the bucket bound under which 99% of the measured changes fell, in ms. Tells how
 * much of the end-to-end tail is the gateway's and how much the clients' side of the box.
 */
async function gatewayP99BucketMs(
  url: string,
  countBefore: Map<string, number>,
): Promise<number | undefined> {
  const buckets = await histogramBuckets(url)
  const measured = [...buckets].map(([le, count]) => [le, count - (countBefore.get(le) ?? 0)] as const)
  const total = measured.find(([le]) => le === '+Inf')?.[1] ?? 0
  const hit = measured.find(([, count]) => count >= total * 0.99)
  return hit === undefined || hit[0] === '+Inf' ? undefined : Number(hit[0]) * 1000
}

async function histogramBuckets(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const buckets = new Map<string, number>()
  for (const match of text.matchAll(
    /^realtime_delivery_latency_seconds_bucket\{le="([^"]+)"[^}]*\} (\d+)$/gm,
  ))
    buckets.set(match[1] as string, Number(match[2]))
  return buckets
}

async function main() {
  const redisUrl = await chooseRedis()
  const redis = new Redis(redisUrl, { connectionName: 'realtime-bench' })
  onCleanUp('redis connection', () => redis.quit())
  cleanUpRunKeys(redis, runId)
  console.log(
    `bench realtime (${runId}): ${settings.sockets} sockets over ${settings.users} users, ` +
      `${settings.rate} changes/s for ${settings.durationSec} s, redis ${redisUrl}`,
  )

  await seedBook(redis, {
    bookId,
    title: benchBook.title,
    priceCents: benchBook.priceCents,
    stock: benchBook.stock,
  })
  const keys = generateTestKeys()
  const tokens = await Promise.all(
    Array.from({ length: settings.users }, (_, index) =>
      signTestToken(keys.privateKey, userId(index), { expiresIn: 3600 }),
    ),
  )
  const common = {
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
  }
  const inspectorPort = await freePort()
  const gateway = await startServer(
    'realtime-gateway',
    [`--inspect=127.0.0.1:${inspectorPort}`, 'apps/realtime-gateway/dist/main.js'],
    {
      ...common,
      MAX_SOCKETS_PER_USER: String(Math.ceil(settings.sockets / settings.users) + 1),
    },
  )
  const cartApi = await startServer('cart-api', ['apps/cart-api/dist/main.js'], {
    ...common,
    QUEUE_PREFIX: runId,
    ...cartApiSettingsEnv,
  })
  const wsUrl = `${gateway.url.replace('http', 'ws')}${REALTIME_PATH}`

  // ---- Sockets: open them all, each waits for its snapshot.
  const holder = socketHolder(wsUrl, tokens)
  const { latencies } = holder
  // Warm-up: the first sockets also pay for code paths compiled and buffers pooled once per
  // process; a batch opened and closed first keeps those out of the per-socket figure.
  const warmUp = await Promise.all(Array.from({ length: 250 }, (_, i) => holder.open(i % settings.users)))
  for (const tab of warmUp) tab.ws.close()
  await sleep(1000)
  const before = await memoryAfterGc(inspectorPort)
  const rssBefore = rssOf(gateway.pid)
  const connectStarted = performance.now()
  await holder.openMany(settings.sockets, settings.users)
  const connectSec = (performance.now() - connectStarted) / 1000
  // ---- Changes: BENCH_RATE per second through cart-api, spread evenly, round-robin over users.
  const driver = await startDriver({ cartApiUrl: cartApi.url, tokens, bookId, rate: settings.rate })
  const { drive, arrived } = changeRounds(holder, driver, settings.users)
  // Warm-up changes (not counted): the first requests of cart-api and the gateway run cold code.
  const warm = await drive(settings.rate * settings.warmupSec)
  await arrived(warm.owed)
  latencies.length = 0

  const total = settings.rate * settings.durationSec
  const bucketsBefore = await histogramBuckets(gateway.url)
  const { result: run, cpu } = await measureCpu(redis, gateway.pid, () => drive(total))
  const expected = run.owed
  const driveSec = run.seconds
  const overload: Overload = run.overload ?? noOverload()
  await arrived(expected)
  const rssAfter = rssOf(gateway.pid)
  const gatewayP99Ms = await gatewayP99BucketMs(gateway.url, bucketsBefore)
  if (latencies.length !== expected) {
    // What the gateway says about itself, to tell a lost subscription from lost sockets.
    const text = await (await fetch(`${gateway.url}/metrics`)).text()
    console.error(
      text
        .split('\n')
        .filter((line) => /^realtime_(?!delivery)/.test(line))
        .join('\n'),
    )
  }

  const outOfOrder = holder.outOfOrder()
  const sorted = Float64Array.from(latencies).sort()
  const round = (value: number) => Math.round(value * 100) / 100
  const figures = {
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: round(sorted.at(-1) ?? 0),
    deliveries: latencies.length,
    expected,
    outOfOrder,
    /** The gateway's histogram: 99% of changes were handed to their sockets within this (bucket bound). */
    gatewayP99BucketMs: gatewayP99Ms ?? null,
  }
  console.log(
    `${total} changes in ${driveSec.toFixed(1)} s -> ${figures.deliveries}/${expected} deliveries, ` +
      `latency p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, max ${figures.maxMs} ms, ${outOfOrder} out of order; ` +
      `gateway p99 (commit to hand-over) <= ${gatewayP99Ms ?? '?'} ms; ` +
      `gateway RSS after ${(rssAfter / 2 ** 20).toFixed(1)} MB; cpu: gateway ${cpu.server ?? '?'}%, redis ${cpu.redis}%, ` +
      `socket holder (this process) ${cpu.loadGenerator}%`,
  )
  // ---- Memory, once the changes are over and the sockets idle (a forced collection before the
  // measured changes would shrink the heap and add collections to them). RSS includes garbage not
  // yet collected: hence the reading after a full collection, and the lowest of one per second.
  const idleReadings: number[] = []
  for (let second = 0; second < settings.idleSec; second++) {
    await sleep(1000)
    idleReadings.push(rssOf(gateway.pid))
  }
  const rssIdle = Math.min(...idleReadings)
  const idle = await memoryAfterGc(inspectorPort)
  const perSocket = (bytes: number) => Math.round(bytes / settings.sockets)
  const bytesPerSocket = perSocket(idle.rss - before.rss)
  const memory = {
    bytesPerIdleSocket: bytesPerSocket,
    heapBytesPerIdleSocket: perSocket(idle.heapUsed + idle.external - before.heapUsed - before.external),
    rssBytesPerIdleSocketBeforeGc: perSocket(rssIdle - rssBefore),
  }
  console.log(
    `${settings.sockets} sockets (opened in ${connectSec.toFixed(1)} s) idle; gateway after GC: RSS ` +
      `${(before.rss / 2 ** 20).toFixed(1)} MB -> ${(idle.rss / 2 ** 20).toFixed(1)} MB idle, ${bytesPerSocket} bytes ` +
      `per socket (JS heap + external ${memory.heapBytesPerIdleSocket}; RSS without GC ${memory.rssBytesPerIdleSocketBeforeGc})`,
  )

  await gateway.stop()
  await cartApi.stop()
  await cleanUp()
  const rows = [
    checked(
      `delivery p99, ${formatNumber(settings.sockets)} sockets`,
      figures.p99Ms,
      'ms',
      { op: '<', value: target.p99Ms },
      `${formatNumber(settings.rate)} changes/s asked, ${formatNumber(Math.round(total / driveSec))} done; p50 ${figures.p50Ms} ms, ` +
        `max ${figures.maxMs} ms; gateway's own p99 <= ${gatewayP99Ms ?? '?'} ms`,
    ),
    checked(
      'bytes per idle socket',
      bytesPerSocket,
      'B',
      { op: '<', value: target.bytesPerIdleSocket },
      `JS heap + external ${memory.heapBytesPerIdleSocket} B`,
    ),
    checked(
      'deliveries missing or out of order',
      expected - Math.min(expected, figures.deliveries) + outOfOrder,
      '',
      { op: '=', value: 0 },
      `${figures.deliveries} of ${expected} arrived, ${outOfOrder} out of order`,
    ),
    checked(
      'changes without a 200 from cart-api',
      notOk(overload),
      '',
      { op: '=', value: 0 },
      describeOverload(overload),
    ),
  ]
  printReport(
    benchReport('realtime', rows, {
      sockets: settings.sockets,
      users: settings.users,
      changes: total,
      changesPerSec: Math.round(total / driveSec),
      overload,
      cpu,
      latency: figures,
      gateway: {
        ...memory,
        rssBeforeMb: round(before.rss / 2 ** 20),
        rssIdleMb: round(idle.rss / 2 ** 20),
        rssAfterMb: round(rssAfter / 2 ** 20),
      },
      connectSec: round(connectSec),
      target,
      settings,
    }),
  )
}

await runBench(main)
