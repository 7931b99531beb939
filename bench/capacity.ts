/**
 * `pnpm bench:capacity` (issue 17): the per-unit costs docs/capacity.md sizes 10 million carts and
 * 1 million sockets from. Memory and operation counts, not speed: no calibration; each figure says
 * how it was measured.
 *
 * A private redis-server (its own port: INFO deltas nobody else's), a fresh database on the local
 * PostgreSQL, and the apps from their builds (cart-api and persistence-worker with their production
 * defaults: cart TTL, 50 idempotency answers kept, 100 mutations per 10 s):
 *   1. carts: BENCH_CARTS carts (10,000) created through cart-api as the web shop does (an
 *      Idempotency-Key on every change): BENCH_ITEMS adds (3) of distinct books out of BENCH_BOOKS
 *      (100, so that each book-carts index is past Redis' listpack size, as with 10 million carts),
 *      then one quantity change. INFO memory used_memory before/after (once the queue is drained and
 *      the rate counters have expired; the queue's events stream, capped, is left out), per cart; the
 *      MEMORY USAGE of each key kind (a sample); the same keys DUMPed into a fresh standalone and a
 *      fresh cluster-enabled redis-server (the per-key cost of cluster mode); the idempotency hash
 *      of carts that made 50 changes (the most it keeps).
 *   2. sockets: BENCH_SOCKETS (4,000) authenticated sockets through the gateway to realtime-gateway,
 *      one per user (every socket a distinct cart subscription): RSS and JS heap of both processes
 *      after a full GC (inspector), median of 3 readings, before/after; Redis used_memory,
 *      pubsubshard_channels and connected_clients before/after.
 *   3. operations per mutation (INFO commandstats delta, commands inside scripts included) and
 *      PostgreSQL writes per mutation (the worker's own counters at /metrics: transactions = batches,
 *      cart rows, item rows), with the worker running: a sparse load (each change on its own cart)
 *      and a burst (BENCH_BURST_CARTS carts, 200, each changing BENCH_BURST_PER_CART times a second,
 *      5, for BENCH_BURST_SEC, 8).
 *   4. the queue during a PostgreSQL outage: the worker stopped, the same burst again; jobs queued,
 *      commits per job, MEMORY USAGE of the job hashes and used_memory per job (cart-api's own
 *      commands per mutation come from this window); then the worker started again and the time it
 *      takes to drain the backlog.
 * Finally the sizing for BENCH_TARGET_CARTS (10,000,000) and BENCH_TARGET_SOCKETS (1,000,000).
 * Requests not answered 200 are counted as failing rows. The LAST line is one JSON object.
 *
 * Environment: BENCH_REDIS_PORT (the private Redis' port; default a free one), DATABASE_URL, the
 * settings above, BENCH_TARGET_MUTATIONS_PER_SEC (10,000: the rate the PostgreSQL and queue figures
 * are scaled to), BENCH_USABLE_GB_PER_MASTER (25), BENCH_HEADROOM (1.5), BENCH_POD_MEMORY_MB (512:
 * the k8s limit of gateway and realtime-gateway). Needs a file limit above 3 x BENCH_SOCKETS.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { bookCartsKey, cartKeys, queueNames, REALTIME_PATH } from '@bookstore/events'
import {
  createTestDatabase,
  freePort,
  generateTestKeys,
  type PrivateRedis,
  seedBook,
  signTestToken,
  startPrivateRedis,
} from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { Pool } from 'undici'
import { benchAppEnv } from './bench-settings'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { openBenchDatabase } from './lib/database'
import { intFromEnv, numberFromEnv } from './lib/env'
import { type OpenLoopRequest, runOpenLoop } from './lib/open-loop'
import { type MemoryReading, memoryAfterGc, rssOf } from './lib/process-memory'
import { type Server, startServer } from './lib/processes'
import { socketHolder } from './lib/realtime-load'
import { benchReport, checked, figure, printReport, type Row } from './lib/report'

const settings = {
  carts: intFromEnv('BENCH_CARTS', 10_000),
  books: intFromEnv('BENCH_BOOKS', 100),
  itemsPerCart: intFromEnv('BENCH_ITEMS', 3),
  fullHistoryCarts: intFromEnv('BENCH_FULL_HISTORY_CARTS', 50),
  sockets: intFromEnv('BENCH_SOCKETS', 4000),
  sparseMutations: intFromEnv('BENCH_SPARSE_MUTATIONS', 1500),
  sparseRate: intFromEnv('BENCH_SPARSE_RATE', 300),
  burstCarts: intFromEnv('BENCH_BURST_CARTS', 200),
  burstPerCart: intFromEnv('BENCH_BURST_PER_CART', 5),
  burstSec: intFromEnv('BENCH_BURST_SEC', 8),
  connections: intFromEnv('BENCH_CONNECTIONS', 32),
}

const sizingInputs = {
  carts: intFromEnv('BENCH_TARGET_CARTS', 10_000_000),
  sockets: intFromEnv('BENCH_TARGET_SOCKETS', 1_000_000),
  mutationsPerSec: intFromEnv('BENCH_TARGET_MUTATIONS_PER_SEC', 10_000),
  usableGbPerMaster: numberFromEnv('BENCH_USABLE_GB_PER_MASTER', 25),
  headroom: numberFromEnv('BENCH_HEADROOM', 1.5),
  podMemoryMb: intFromEnv('BENCH_POD_MEMORY_MB', 512),
}

const runId = `bench-${randomUUID().slice(0, 8)}`
const queuePrefix = runId
const queueKey = (suffix: string) => `${queuePrefix}:${queueNames.cartPersistence}:${suffix}`

/** Titles of the length a real catalog has: the cart document and every stored answer carry them. */
const titles = [
  'The Pragmatic Programmer: Your Journey to Mastery',
  'Designing Data-Intensive Applications',
  'Structure and Interpretation of Computer Programs',
  'A Philosophy of Software Design',
  'Refactoring: Improving the Design of Existing Code',
]

interface Shopper {
  id: string
  token: string
  authorization: string
  books: string[]
}

const round = (value: number, digits = 0) => {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
const mb = (bytes: number) => round(bytes / 2 ** 20, 1)
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

// ---- Redis INFO

/** What this bench itself sent inside a measured window: left out of the delta. */
const ownCalls = new Map<string, number>()
const countOwn = (name: string, count = 1) => ownCalls.set(name, (ownCalls.get(name) ?? 0) + count)

async function info(redis: Redis, section: string): Promise<Map<string, string>> {
  const fields = new Map<string, string>()
  for (const line of (await redis.info(section)).split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return fields
}
const infoNumber = async (redis: Redis, section: string, field: string) =>
  Number((await info(redis, section)).get(field) ?? Number.NaN)
const usedMemory = (redis: Redis) => infoNumber(redis, 'memory', 'used_memory')

/** Calls per command (cmdstat_<name>:calls=N,...), commands run inside scripts included. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>()
  for (const [field, value] of await info(redis, 'commandstats')) {
    const count = /calls=(\d+)/.exec(value)?.[1]
    if (field.startsWith('cmdstat_') && count !== undefined) calls.set(field.slice(8), Number(count))
  }
  return calls
}

/** The start of a measured window: what the bench itself sends from here on is left out. */
async function startWindow(redis: Redis): Promise<Map<string, number>> {
  ownCalls.clear()
  return commandCalls(redis)
}

/** The commands run since `before`, by name, less the bench's own. */
async function endWindow(redis: Redis, before: Map<string, number>): Promise<Map<string, number>> {
  const after = await commandCalls(redis)
  const delta = new Map<string, number>()
  for (const [name, calls] of after) {
    // INFO is the bench's (the apps send it only when they connect).
    if (name === 'info') continue
    const value = calls - (before.get(name) ?? 0) - (ownCalls.get(name) ?? 0)
    if (value > 0) delta.set(name, value)
  }
  return delta
}

const sum = (values: Iterable<number>) => {
  let total = 0
  for (const value of values) total += value
  return total
}

/** The commands of a window per mutation, most frequent first. */
function perMutation(delta: Map<string, number>, mutations: number) {
  const total = sum(delta.values())
  const byCommand = Object.fromEntries(
    [...delta]
      .sort((a, b) => b[1] - a[1])
      .map(([name, calls]) => [name, round(calls / Math.max(1, mutations), 3)] as const),
  )
  return { total: round(total / Math.max(1, mutations), 2), calls: total, byCommand }
}

const describeCommands = (byCommand: Record<string, number>) =>
  Object.entries(byCommand)
    .slice(0, 8)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ')

/** MEMORY USAGE (SAMPLES 0: every element counted) of each key, pipelined. */
async function memoryUsage(redis: Redis, keys: readonly string[]): Promise<number[]> {
  const sizes: number[] = []
  for (let index = 0; index < keys.length; index += 500) {
    const pipeline = redis.pipeline()
    for (const key of keys.slice(index, index + 500)) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')
    for (const [error, size] of (await pipeline.exec()) ?? []) {
      if (error) throw error
      sizes.push(Number(size ?? 0))
    }
  }
  return sizes
}
const mean = (values: readonly number[]) => (values.length === 0 ? 0 : sum(values) / values.length)

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000)
    cursor = next
    keys.push(...found)
  } while (cursor !== '0')
  return keys
}

/** Until the persistence queue holds no job waiting, active or delayed (the worker wrote them all). */
async function queueDrained(redis: Redis, timeoutMs: number): Promise<number> {
  const started = Date.now()
  for (;;) {
    const answers = await redis
      .pipeline()
      .llen(queueKey('wait'))
      .llen(queueKey('active'))
      .zcard(queueKey('delayed'))
      .exec()
    countOwn('llen', 2)
    countOwn('zcard')
    if ((answers ?? []).every(([, value]) => Number(value) === 0)) return Date.now() - started
    if (Date.now() - started > timeoutMs)
      throw new Error(`the persistence queue was not drained in ${timeoutMs} ms`)
    await sleep(50)
  }
}

// ---- HTTP load

/** Sends every request, `connections` at a time; counts the answers by status. */
async function sendAll(url: string, requests: readonly OpenLoopRequest[], connections: number) {
  const pool = new Pool(url, { connections, pipelining: 1 })
  const statuses = new Map<string, number>()
  let next = 0
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++] as OpenLoopRequest
      let status: string
      try {
        const response = await pool.request(request)
        await response.body.dump()
        status = String(response.statusCode)
      } catch {
        status = 'error'
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
  await pool.destroy()
  return { ok: statuses.get('200') ?? 0, statuses: Object.fromEntries(statuses) }
}

const withKey = (shopper: Shopper) => ({
  authorization: shopper.authorization,
  'content-type': 'application/json',
  'idempotency-key': randomUUID(),
})
const addRequest = (shopper: Shopper, bookId: string, quantity: number): OpenLoopRequest => ({
  method: 'POST',
  path: '/cart/items',
  headers: withKey(shopper),
  body: JSON.stringify({ bookId, quantity }),
})
const quantityRequest = (shopper: Shopper, quantity: number): OpenLoopRequest => ({
  method: 'PUT',
  path: `/cart/items/${shopper.books[0]}`,
  headers: withKey(shopper),
  body: JSON.stringify({ quantity }),
})

/**
 * Quantity changes at `rate` per second, round-robin over `shoppers` (each cart's quantity steps
 * through 1-9 from `firstQuantity`), every one answered.
 */
async function changesAt(
  url: string,
  shoppers: readonly Shopper[],
  rate: number,
  durationSec: number,
  firstQuantity = 0,
) {
  let sent = 0
  const [result] = await runOpenLoop(
    {
      url,
      connections: settings.connections,
      timeoutMs: 10_000,
      request: () => {
        const shopper = shoppers[sent % shoppers.length] as Shopper
        sent++
        return quantityRequest(shopper, ((firstQuantity + Math.floor(sent / shoppers.length)) % 9) + 1)
      },
    },
    [{ label: 'changes', rate, durationSec }],
  )
  const outcomes = result?.outcomes ?? []
  const ok = outcomes.filter((outcome) => outcome.status === 200).length
  return { sent, ok, notOk: outcomes.length - ok, sendLagMs: round(result?.sendLagMs ?? 0) }
}

// ---- persistence-worker's counters

async function workerCounters(worker: Server) {
  const text = await (await fetch(`${worker.url}/metrics`)).text()
  const total = (name: string) =>
    sum(
      [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))].map((match) =>
        Number(match[1]),
      ),
    )
  return {
    commits: total('cart_persistence_commits_total'),
    transactions: total('cart_persistence_batches_total'),
    cartRows: total('cart_persistence_cart_writes_total'),
    itemRows: total('cart_persistence_item_writes_total'),
    jobs: total('cart_persistence_jobs_total'),
  }
}
type WorkerCounters = Awaited<ReturnType<typeof workerCounters>>

function writesPerMutation(before: WorkerCounters, after: WorkerCounters, mutations: number) {
  const per = (field: keyof WorkerCounters) =>
    round((after[field] - before[field]) / Math.max(1, mutations), 4)
  return {
    jobs: after.jobs - before.jobs,
    transactions: after.transactions - before.transactions,
    cartRows: after.cartRows - before.cartRows,
    itemRows: after.itemRows - before.itemRows,
    jobsPerMutation: per('jobs'),
    transactionsPerMutation: per('transactions'),
    cartRowsPerMutation: per('cartRows'),
    itemRowsPerMutation: per('itemRows'),
  }
}

// ---- cluster mode: the same keys in fresh nodes

async function freshNode(cluster: boolean): Promise<{ node: PrivateRedis; client: Redis }> {
  const dir = await mkdtemp(join(tmpdir(), 'capacity-redis-'))
  onCleanUp('redis dir', () => rm(dir, { recursive: true, force: true }))
  const node = await startPrivateRedis({
    extraArgs: [
      '--dir',
      dir,
      ...(cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] : []),
    ],
  })
  onCleanUp('fresh redis-server', () => node.stop())
  const client = new Redis(node.url, { connectionName: 'capacity-bench' })
  onCleanUp('fresh redis connection', () => client.quit())
  if (cluster) {
    await client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')
    const deadline = Date.now() + 10_000
    while (!String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
      if (Date.now() > deadline) throw new Error('the one-node cluster did not reach cluster_state:ok')
      await sleep(100)
    }
  }
  return { node, client }
}

/** used_memory a node gains from a copy (DUMP/RESTORE, TTLs kept) of `keys`. */
async function copiedMemory(source: Redis, target: Redis, keys: readonly string[]): Promise<number> {
  const before = await usedMemory(target)
  for (let index = 0; index < keys.length; index += 500) {
    const batch = keys.slice(index, index + 500)
    const read = source.pipeline()
    for (const key of batch) read.dumpBuffer(key).pttl(key)
    const answers = (await read.exec()) ?? []
    const write = target.pipeline()
    batch.forEach((key, at) => {
      const dump = answers[at * 2]?.[1]
      const ttl = Number(answers[at * 2 + 1]?.[1] ?? -1)
      if (Buffer.isBuffer(dump)) write.restore(key, Math.max(ttl, 0), dump, 'REPLACE')
    })
    for (const [error] of (await write.exec()) ?? []) if (error) throw error
  }
  return (await usedMemory(target)) - before
}

// ---- memory of a server process

/** Median of three readings after a full GC, half a second apart. */
async function settledMemory(inspectorPort: number): Promise<MemoryReading> {
  const readings: MemoryReading[] = []
  for (let index = 0; index < 3; index++) {
    if (index > 0) await sleep(500)
    readings.push(await memoryAfterGc(inspectorPort))
  }
  return {
    rss: median(readings.map((reading) => reading.rss)),
    heapUsed: median(readings.map((reading) => reading.heapUsed)),
    external: median(readings.map((reading) => reading.external)),
  }
}

async function main() {
  const redisPort = process.env.BENCH_REDIS_PORT ? intFromEnv('BENCH_REDIS_PORT', 1) : undefined
  const privateRedis = await startPrivateRedis(redisPort === undefined ? {} : { port: redisPort })
  onCleanUp('private redis-server', () => privateRedis.stop())
  const redis = new Redis(privateRedis.url, { connectionName: 'capacity-bench' })
  onCleanUp('redis connection', () => redis.quit())
  const testDatabase = await createTestDatabase()
  onCleanUp('bench database', () => testDatabase.drop())
  const database = openBenchDatabase(testDatabase.url)
  const redisVersion = (await info(redis, 'server')).get('redis_version') ?? '?'
  const startedAt = new Date().toISOString()
  console.log(
    `bench capacity (${runId}), ${startedAt}: redis-server ${redisVersion} on port ${privateRedis.port}; ` +
      `${settings.carts} carts of ${settings.itemsPerCart} items over ${settings.books} books, ` +
      `${settings.sockets} sockets`,
  )

  const books = Array.from({ length: settings.books }, () => `book-${randomUUID()}`)
  for (const [index, bookId] of books.entries())
    await seedBook(redis, {
      bookId,
      title: titles[index % titles.length] as string,
      priceCents: 1999 + index,
      stock: 1_000_000,
    })
  const keys = generateTestKeys()
  const shoppers: Shopper[] = await Promise.all(
    Array.from({ length: settings.carts }, async (_, index) => {
      const id = randomUUID()
      const token = await signTestToken(keys.privateKey, id, { expiresIn: 3600 })
      return {
        id,
        token,
        authorization: `Bearer ${token}`,
        books: Array.from(
          { length: settings.itemsPerCart },
          (_, item) => books[(index + item * 17) % settings.books] as string,
        ),
      }
    }),
  )
  const env = {
    ...benchAppEnv(privateRedis.url, keys.publicKeyPem, queuePrefix),
    DATABASE_URL: testDatabase.url,
  }
  let worker = await startServer('persistence-worker', ['apps/persistence-worker/dist/main.js'], env)
  const cartApi = await startServer('cart-api', ['apps/cart-api/dist/main.js'], env)
  const failures: Row[] = []
  const answered = (label: string, ok: number, sent: number, detail: string) =>
    failures.push(
      checked(`${label}: requests not answered 200`, sent - ok, '', { op: '=', value: 0 }, detail),
    )

  // ---- 1. Memory per cart.
  const eventsKey = queueKey('events')
  const eventsBefore = Number((await memoryUsage(redis, [eventsKey]))[0] ?? 0)
  const memoryBefore = await usedMemory(redis)
  const keysBefore = await redis.dbsize()
  const creation: OpenLoopRequest[] = []
  for (let item = 0; item < settings.itemsPerCart; item++)
    for (const shopper of shoppers)
      creation.push(addRequest(shopper, shopper.books[item] as string, 1 + (item % 2)))
  for (const shopper of shoppers) creation.push(quantityRequest(shopper, 3))
  const creationStarted = performance.now()
  const created = await sendAll(cartApi.url, creation, settings.connections)
  const creationSec = (performance.now() - creationStarted) / 1000
  answered('cart creation', created.ok, creation.length, JSON.stringify(created.statuses))
  console.log(
    `carts: ${creation.length} mutations in ${creationSec.toFixed(1)} s (${Math.round(creation.length / creationSec)}/s), ` +
      `answers ${JSON.stringify(created.statuses)}`,
  )
  await queueDrained(redis, 60_000)
  const [persisted] = await database.query<{ carts: string }>('SELECT count(*) AS carts FROM carts')
  // The shopper's rate counter lives one window (10 s): measured now, then left to expire.
  const counterKeys = shoppers.slice(0, 500).map((shopper) => cartKeys(shopper.id).mutations)
  const counterBytes = mean((await memoryUsage(redis, counterKeys)).filter((size) => size > 0))
  const expiryStarted = Date.now()
  while ((await scanKeys(redis, 'cart:*:mutations')).length > 0) {
    if (Date.now() - expiryStarted > 30_000) throw new Error('the rate counters did not expire within 30 s')
    await sleep(500)
  }
  const eventsAfter = Number((await memoryUsage(redis, [eventsKey]))[0] ?? 0)
  const memoryAfter = await usedMemory(redis)
  const keysAfter = await redis.dbsize()
  const memoryInfo = await info(redis, 'memory')
  const cartBytes = (memoryAfter - memoryBefore - (eventsAfter - eventsBefore)) / settings.carts
  const sample = shoppers.slice(0, 500).map((shopper) => cartKeys(shopper.id))
  const kinds = {
    cart: mean(
      await memoryUsage(
        redis,
        sample.map((k) => k.cart),
      ),
    ),
    version: mean(
      await memoryUsage(
        redis,
        sample.map((k) => k.version),
      ),
    ),
    idem: mean(
      await memoryUsage(
        redis,
        sample.map((k) => k.answers),
      ),
    ),
    idemOrder: mean(
      await memoryUsage(
        redis,
        sample.map((k) => k.answerOrder),
      ),
    ),
  }
  const indexKeys = books.map(bookCartsKey)
  const indexSizes = await memoryUsage(redis, indexKeys)
  const indexEntries = sum(await Promise.all(indexKeys.map((key) => redis.zcard(key))))
  const indexEncoding = String(await redis.object('ENCODING', indexKeys[0] as string))
  const indexPerCart = sum(indexSizes) / settings.carts
  const keyKinds = {
    ...Object.fromEntries(Object.entries(kinds).map(([kind, bytes]) => [kind, round(bytes)])),
    bookCartsPerCart: round(indexPerCart),
    bookCartsPerEntry: round(sum(indexSizes) / Math.max(1, indexEntries)),
    bookCartsEncoding: indexEncoding,
    rateCounter: round(counterBytes),
  }
  const keyKindsSum = sum(Object.values(kinds)) + indexPerCart
  console.log(
    `memory per cart: used_memory ${mb(memoryBefore)} -> ${mb(memoryAfter)} MB (${keysAfter - keysBefore} keys), ` +
      `${round(cartBytes)} bytes per cart (queue events stream left out: ${eventsAfter - eventsBefore} B); ` +
      `MEMORY USAGE: ${JSON.stringify(keyKinds)}, sum ${round(keyKindsSum)} B; ` +
      `${persisted?.carts ?? 0} carts in PostgreSQL; fragmentation ${memoryInfo.get('mem_fragmentation_ratio')}`,
  )

  // The same keys in a fresh standalone and a fresh cluster-enabled node.
  const cartKeyNames = [...(await scanKeys(redis, 'cart:*')), ...indexKeys]
  const standalone = await freshNode(false)
  const standaloneBytes = (await copiedMemory(redis, standalone.client, cartKeyNames)) / settings.carts
  const cluster = await freshNode(true)
  const clusterBytes = (await copiedMemory(redis, cluster.client, cartKeyNames)) / settings.carts
  console.log(
    `the same ${cartKeyNames.length} keys copied: standalone ${round(standaloneBytes)} B per cart, ` +
      `cluster-enabled ${round(clusterBytes)} B per cart`,
  )

  // Carts at the most answers they keep (IDEMPOTENCY_ANSWERS_KEPT, 50).
  const fullHistory = shoppers.slice(-settings.fullHistoryCarts)
  const historyRequests: OpenLoopRequest[] = []
  for (let change = 0; change < 50; change++)
    for (const shopper of fullHistory) historyRequests.push(quantityRequest(shopper, (change % 9) + 1))
  const history = await sendAll(cartApi.url, historyRequests, settings.connections)
  answered('50 changes per cart', history.ok, historyRequests.length, JSON.stringify(history.statuses))
  await queueDrained(redis, 60_000)
  const fullKeys = fullHistory.map((shopper) => cartKeys(shopper.id))
  const fullIdem = mean(
    await memoryUsage(
      redis,
      fullKeys.map((k) => k.answers),
    ),
  )
  const fullIdemOrder = mean(
    await memoryUsage(
      redis,
      fullKeys.map((k) => k.answerOrder),
    ),
  )
  const answersKept = median(await Promise.all(fullKeys.map((k) => redis.hlen(k.answers))))
  const fullHistoryCart = keyKindsSum - kinds.idem - kinds.idemOrder + fullIdem + fullIdemOrder
  console.log(
    `carts after 50 changes: ${answersKept} answers kept, idem hash ${round(fullIdem)} B, idem-order ` +
      `${round(fullIdemOrder)} B: ${round(fullHistoryCart)} B per cart (MEMORY USAGE sum)`,
  )

  // ---- 2. Memory per socket: through the gateway to realtime-gateway.
  const realtimeInspector = await freePort()
  const realtime = await startServer(
    'realtime-gateway',
    [`--inspect=127.0.0.1:${realtimeInspector}`, 'apps/realtime-gateway/dist/main.js'],
    env,
  )
  const gatewayInspector = await freePort()
  const gateway = await startServer(
    'gateway',
    [`--inspect=127.0.0.1:${gatewayInspector}`, 'apps/gateway/dist/main.js'],
    {
      ...env,
      CART_API_URLS: cartApi.url,
      REALTIME_GATEWAY_URLS: realtime.url,
      // One bench process is one client address: the limits are not what is measured.
      RATE_LIMIT_PER_IP: '1000000000',
      RATE_LIMIT_PER_USER: '1000000000',
    },
  )
  const socketShoppers = shoppers.slice(0, settings.sockets)
  const holder = socketHolder(
    `${gateway.url.replace('http', 'ws')}${REALTIME_PATH}`,
    socketShoppers.map((shopper) => shopper.token),
  )
  // Warm-up: code compiled and buffers pooled once per process stay out of the per-socket figure.
  const warmUp = await Promise.all(Array.from({ length: 250 }, (_, index) => holder.open(index)))
  for (const tab of warmUp) tab.ws.close()
  await sleep(1500)
  const redisSockets = async () => ({
    usedMemory: await usedMemory(redis),
    channels: await infoNumber(redis, 'stats', 'pubsubshard_channels'),
    clients: await infoNumber(redis, 'clients', 'connected_clients'),
  })
  const socketsBefore = {
    realtime: await settledMemory(realtimeInspector),
    gateway: await settledMemory(gatewayInspector),
    realtimeRss: rssOf(realtime.pid),
    gatewayRss: rssOf(gateway.pid),
    redis: await redisSockets(),
  }
  const openStarted = performance.now()
  await holder.openMany(settings.sockets, settings.sockets)
  const openSec = (performance.now() - openStarted) / 1000
  await sleep(3000)
  const socketsAfter = {
    realtime: await settledMemory(realtimeInspector),
    gateway: await settledMemory(gatewayInspector),
    realtimeRss: rssOf(realtime.pid),
    gatewayRss: rssOf(gateway.pid),
    redis: await redisSockets(),
  }
  const perSocket = (after: number, before: number) => round((after - before) / settings.sockets)
  const heapOf = (reading: MemoryReading) => reading.heapUsed + reading.external
  const sockets = {
    opened: holder.tabs.length,
    openSec: round(openSec, 1),
    realtimeGateway: {
      rssBytesPerSocket: perSocket(socketsAfter.realtime.rss, socketsBefore.realtime.rss),
      heapBytesPerSocket: perSocket(heapOf(socketsAfter.realtime), heapOf(socketsBefore.realtime)),
      rssBytesPerSocketWithoutGc: perSocket(socketsAfter.realtimeRss, socketsBefore.realtimeRss),
      rssBeforeMb: mb(socketsBefore.realtime.rss),
      rssAfterMb: mb(socketsAfter.realtime.rss),
    },
    gateway: {
      rssBytesPerSocket: perSocket(socketsAfter.gateway.rss, socketsBefore.gateway.rss),
      heapBytesPerSocket: perSocket(heapOf(socketsAfter.gateway), heapOf(socketsBefore.gateway)),
      rssBytesPerSocketWithoutGc: perSocket(socketsAfter.gatewayRss, socketsBefore.gatewayRss),
      rssBeforeMb: mb(socketsBefore.gateway.rss),
      rssAfterMb: mb(socketsAfter.gateway.rss),
    },
    redis: {
      bytesPerSocket: perSocket(socketsAfter.redis.usedMemory, socketsBefore.redis.usedMemory),
      shardChannels: socketsAfter.redis.channels - socketsBefore.redis.channels,
      clients: socketsAfter.redis.clients - socketsBefore.redis.clients,
    },
  }
  console.log(
    `sockets: ${sockets.opened} opened in ${sockets.openSec} s; after GC (median of 3): realtime-gateway RSS ` +
      `${sockets.realtimeGateway.rssBeforeMb} -> ${sockets.realtimeGateway.rssAfterMb} MB, ` +
      `${sockets.realtimeGateway.rssBytesPerSocket} B per socket (heap ${sockets.realtimeGateway.heapBytesPerSocket}); ` +
      `gateway RSS ${sockets.gateway.rssBeforeMb} -> ${sockets.gateway.rssAfterMb} MB, ` +
      `${sockets.gateway.rssBytesPerSocket} B per socket (heap ${sockets.gateway.heapBytesPerSocket}); ` +
      `redis ${sockets.redis.bytesPerSocket} B per socket, +${sockets.redis.shardChannels} shard channels, ` +
      `+${sockets.redis.clients} clients`,
  )
  for (const tab of holder.tabs) tab.ws.terminate()
  await gateway.stop()
  await realtime.stop()

  // ---- 3. Operations and PostgreSQL writes per mutation, the worker running.
  const idleBefore = await startWindow(redis)
  await sleep(3000)
  const idleDelta = await endWindow(redis, idleBefore)
  const backgroundPerSec = round(sum(idleDelta.values()) / 3, 1)

  const liveWindow = async (
    label: string,
    targets: readonly Shopper[],
    rate: number,
    durationSec: number,
  ) => {
    const countersBefore = await workerCounters(worker)
    const callsBefore = await startWindow(redis)
    const load = await changesAt(cartApi.url, targets, rate, durationSec)
    const drainMs = await queueDrained(redis, 60_000)
    const delta = await endWindow(redis, callsBefore)
    const countersAfter = await workerCounters(worker)
    answered(label, load.ok, load.sent, `${load.notOk} not 200`)
    const result = {
      mutations: load.ok,
      rate,
      sendLagMs: load.sendLagMs,
      drainMs,
      ops: perMutation(delta, load.ok),
      postgres: writesPerMutation(countersBefore, countersAfter, load.ok),
    }
    console.log(
      `${label}: ${load.ok} mutations at ${rate}/s (drained ${drainMs} ms after): ${result.ops.total} Redis commands ` +
        `per mutation (${describeCommands(result.ops.byCommand)}); PostgreSQL per mutation: ` +
        `${result.postgres.transactionsPerMutation} transactions, ${result.postgres.cartRowsPerMutation} cart rows, ` +
        `${result.postgres.itemRowsPerMutation} item rows (${result.postgres.jobs} jobs)`,
    )
    return result
  }
  const sparseCarts = shoppers.slice(settings.sockets, settings.sockets + settings.sparseMutations)
  const sparse = await liveWindow(
    'sparse (one change per cart)',
    sparseCarts,
    settings.sparseRate,
    sparseCarts.length / settings.sparseRate,
  )
  const burstCarts = shoppers.slice(0, settings.burstCarts)
  const burstRate = settings.burstCarts * settings.burstPerCart
  const burst = await liveWindow(
    `burst (${settings.burstCarts} carts x ${settings.burstPerCart}/s)`,
    burstCarts,
    burstRate,
    settings.burstSec,
  )

  // ---- 4. The queue while PostgreSQL is away (the worker stopped): the same burst on other carts
  // (the burst's carts are close to the 50 answers kept; pruning would add its commands here).
  const outageCarts = shoppers.slice(settings.burstCarts, 2 * settings.burstCarts)
  await worker.stop()
  const outageCartKeys = outageCarts.flatMap((shopper) => Object.values(cartKeys(shopper.id)))
  const outageCartsBytes = async () => sum(await memoryUsage(redis, outageCartKeys))
  const cartsBytesBefore = await outageCartsBytes()
  const outageMemoryBefore = await usedMemory(redis)
  const outageCallsBefore = await startWindow(redis)
  const outageLoad = await changesAt(cartApi.url, outageCarts, burstRate, settings.burstSec, 4)
  const cartApiDelta = await endWindow(redis, outageCallsBefore)
  answered('outage burst', outageLoad.ok, outageLoad.sent, `${outageLoad.notOk} not 200`)
  const outageMemoryAfter = await usedMemory(redis)
  // The carts' own keys grow too (their answers): that is not the queue's.
  const cartsGrowth = (await outageCartsBytes()) - cartsBytesBefore
  const waitListBytes = Number((await memoryUsage(redis, [queueKey('wait')]))[0] ?? 0)
  const jobIds = await redis.lrange(queueKey('wait'), 0, -1)
  const jobKeys = jobIds.map((id) => queueKey(id))
  const jobSizes = await memoryUsage(redis, jobKeys)
  let commitsQueued = 0
  for (let index = 0; index < jobKeys.length; index += 500) {
    const pipeline = redis.pipeline()
    for (const key of jobKeys.slice(index, index + 500)) pipeline.hget(key, 'data')
    for (const [, data] of (await pipeline.exec()) ?? [])
      commitsQueued += (JSON.parse(String(data ?? '{"commits":[]}')) as { commits: unknown[] }).commits.length
  }
  const queue = {
    jobs: jobIds.length,
    commits: commitsQueued,
    mutations: outageLoad.ok,
    commitsPerJob: round(commitsQueued / Math.max(1, jobIds.length), 2),
    jobHashBytes: round(mean(jobSizes)),
    waitListBytes,
    /** Job hashes and the wait list (MEMORY USAGE) per mutation queued. */
    bytesPerMutation: round((sum(jobSizes) + waitListBytes) / Math.max(1, outageLoad.ok)),
    /** used_memory's growth less the carts' own, per job and per mutation. */
    usedMemoryPerJob: round(
      (outageMemoryAfter - outageMemoryBefore - cartsGrowth) / Math.max(1, jobIds.length),
    ),
    usedMemoryPerMutation: round(
      (outageMemoryAfter - outageMemoryBefore - cartsGrowth) / Math.max(1, outageLoad.ok),
    ),
    cartsGrowthBytes: cartsGrowth,
    cartApiOps: perMutation(cartApiDelta, outageLoad.ok),
  }
  console.log(
    `outage: ${queue.mutations} mutations queued as ${queue.jobs} jobs (${queue.commitsPerJob} commits per job), ` +
      `job hash ${queue.jobHashBytes} B (MEMORY USAGE: ${queue.bytesPerMutation} B per mutation), used_memory ` +
      `+${mb(outageMemoryAfter - outageMemoryBefore)} MB (carts' own growth ${mb(cartsGrowth)} MB left out): ` +
      `${queue.usedMemoryPerJob} B per job, ${queue.usedMemoryPerMutation} B per mutation; cart-api alone: ` +
      `${queue.cartApiOps.total} Redis commands per mutation (${describeCommands(queue.cartApiOps.byCommand)})`,
  )
  const drainCallsBefore = await startWindow(redis)
  const restartStarted = performance.now()
  worker = await startServer('persistence-worker', ['apps/persistence-worker/dist/main.js'], env)
  const readyMs = performance.now() - restartStarted
  await queueDrained(redis, 120_000)
  const drainSec = (performance.now() - restartStarted) / 1000
  const drainDelta = await endWindow(redis, drainCallsBefore)
  const drainCounters = await workerCounters(worker)
  const drain = {
    seconds: round(drainSec, 2),
    workerReadyMs: round(readyMs),
    jobsPerSec: round(queue.jobs / drainSec),
    mutationsPerSec: round(queue.mutations / drainSec),
    ops: perMutation(drainDelta, queue.mutations),
    postgres: writesPerMutation(
      { commits: 0, transactions: 0, cartRows: 0, itemRows: 0, jobs: 0 },
      drainCounters,
      queue.mutations,
    ),
  }
  console.log(
    `drain: the restarted worker (ready after ${drain.workerReadyMs} ms) emptied the queue in ${drain.seconds} s ` +
      `(${drain.jobsPerSec} jobs/s, ${drain.mutationsPerSec} mutations/s): ${drain.postgres.transactions} transactions, ` +
      `${drain.postgres.cartRows} cart rows; ${drain.ops.total} Redis commands per queued mutation`,
  )
  await cleanUp()

  // ---- Sizing.
  const gb = (bytes: number) => round(bytes / 1e9, 2)
  // Measured standalone; cluster mode adds its per-key cost (the same keys in both kinds of node).
  const clusterExtra = Math.max(0, clusterBytes - standaloneBytes)
  const perCart = cartBytes + clusterExtra
  const perCartFullHistory = perCart + fullIdem + fullIdemOrder - kinds.idem - kinds.idemOrder
  const cartsBytes = sizingInputs.carts * perCart
  const fullHistoryBytes = sizingInputs.carts * perCartFullHistory
  const channelBytes = sizingInputs.sockets * sockets.redis.bytesPerSocket
  const queueBytesPerMinute =
    sizingInputs.mutationsPerSec * 60 * Math.max(queue.usedMemoryPerMutation, queue.bytesPerMutation)
  const masters = (bytes: number) =>
    Math.ceil((bytes * sizingInputs.headroom) / (sizingInputs.usableGbPerMaster * 1e9))
  const podBytes = sizingInputs.podMemoryMb * 2 ** 20
  const pods = (bytesPerSocket: number, baselineMb: number) => {
    const perPod = Math.floor((podBytes - baselineMb * 2 ** 20) / (bytesPerSocket * sizingInputs.headroom))
    return { socketsPerPod: perPod, pods: Math.ceil(sizingInputs.sockets / Math.max(1, perPod)) }
  }
  const sizing = {
    inputs: sizingInputs,
    redis: {
      bytesPerCart: round(perCart),
      bytesPerCartFullHistory: round(perCartFullHistory),
      cartsGb: gb(cartsBytes),
      cartsAtFullHistoryGb: gb(fullHistoryBytes),
      socketChannelsGb: gb(channelBytes),
      totalGb: gb(cartsBytes + channelBytes),
      masters: masters(cartsBytes + channelBytes),
      mastersAtFullHistory: masters(fullHistoryBytes + channelBytes),
    },
    realtimeGateway: pods(sockets.realtimeGateway.rssBytesPerSocket, sockets.realtimeGateway.rssBeforeMb),
    gateway: pods(sockets.gateway.rssBytesPerSocket, sockets.gateway.rssBeforeMb),
    postgres: {
      sparse: {
        transactionsPerSec: round(sizingInputs.mutationsPerSec * sparse.postgres.transactionsPerMutation),
        cartRowsPerSec: round(sizingInputs.mutationsPerSec * sparse.postgres.cartRowsPerMutation),
        itemRowsPerSec: round(sizingInputs.mutationsPerSec * sparse.postgres.itemRowsPerMutation),
      },
      burst: {
        transactionsPerSec: round(sizingInputs.mutationsPerSec * burst.postgres.transactionsPerMutation),
        cartRowsPerSec: round(sizingInputs.mutationsPerSec * burst.postgres.cartRowsPerMutation),
        itemRowsPerSec: round(sizingInputs.mutationsPerSec * burst.postgres.itemRowsPerMutation),
      },
    },
    redisOpsPerSec: {
      sparse: round(sizingInputs.mutationsPerSec * sparse.ops.total),
      burst: round(sizingInputs.mutationsPerSec * burst.ops.total),
    },
    queue: {
      mbPerMinuteOfOutage: round(queueBytesPerMinute / 2 ** 20, 1),
      minutesPerGb: round(2 ** 30 / Math.max(1, queueBytesPerMinute), 1),
    },
  }
  console.log(`sizing: ${JSON.stringify(sizing)}`)

  const rows: Row[] = [
    figure(
      'Redis bytes per cart (used_memory delta)',
      round(cartBytes),
      'B',
      `${settings.carts} carts, ${settings.itemsPerCart} items and ${settings.itemsPerCart + 1} answers each; cluster mode ${round(clusterBytes)} B vs standalone ${round(standaloneBytes)} B (same keys)`,
    ),
    figure('Redis bytes per cart with 50 answers kept', round(fullHistoryCart), 'B', 'MEMORY USAGE sum'),
    figure(
      'realtime-gateway bytes per socket (RSS after GC)',
      sockets.realtimeGateway.rssBytesPerSocket,
      'B',
      `${sockets.opened} sockets, one cart each; heap ${sockets.realtimeGateway.heapBytesPerSocket} B`,
    ),
    figure(
      'gateway bytes per socket (RSS after GC)',
      sockets.gateway.rssBytesPerSocket,
      'B',
      `heap ${sockets.gateway.heapBytesPerSocket} B`,
    ),
    figure(
      'Redis bytes per subscribed socket',
      sockets.redis.bytesPerSocket,
      'B',
      `+${sockets.redis.shardChannels} shard channels`,
    ),
    figure(
      'Redis commands per mutation, sparse',
      sparse.ops.total,
      '',
      describeCommands(sparse.ops.byCommand),
    ),
    figure('Redis commands per mutation, burst', burst.ops.total, '', describeCommands(burst.ops.byCommand)),
    figure(
      'cart-api Redis commands per mutation (worker stopped)',
      queue.cartApiOps.total,
      '',
      describeCommands(queue.cartApiOps.byCommand),
    ),
    figure(
      'PostgreSQL transactions per mutation, sparse',
      sparse.postgres.transactionsPerMutation,
      '',
      `${sparse.postgres.cartRowsPerMutation} cart rows, ${sparse.postgres.itemRowsPerMutation} item rows per mutation`,
    ),
    figure(
      'PostgreSQL transactions per mutation, burst',
      burst.postgres.transactionsPerMutation,
      '',
      `${burst.postgres.cartRowsPerMutation} cart rows, ${burst.postgres.itemRowsPerMutation} item rows per mutation`,
    ),
    figure(
      'Redis bytes per queued mutation (worker stopped)',
      queue.usedMemoryPerMutation,
      'B',
      `${queue.jobs} jobs, ${queue.commitsPerJob} commits per job, job hash ${queue.jobHashBytes} B`,
    ),
    figure(
      'backlog drain after the outage',
      drain.mutationsPerSec,
      'mutations/s',
      `${queue.jobs} jobs in ${drain.seconds} s`,
    ),
    ...failures,
  ]
  printReport(
    benchReport('capacity', rows, {
      startedAt,
      redisVersion,
      carts: {
        count: settings.carts,
        mutations: creation.length,
        usedMemoryBefore: memoryBefore,
        usedMemoryAfter: memoryAfter,
        keys: keysAfter - keysBefore,
        eventsStreamBytes: eventsAfter - eventsBefore,
        bytesPerCart: round(cartBytes),
        keyKinds,
        keyKindsSum: round(keyKindsSum),
        standaloneCopyBytesPerCart: round(standaloneBytes),
        clusterCopyBytesPerCart: round(clusterBytes),
        fullHistory: {
          answersKept,
          idem: round(fullIdem),
          idemOrder: round(fullIdemOrder),
          bytesPerCart: round(fullHistoryCart),
        },
        fragmentationRatio: Number(memoryInfo.get('mem_fragmentation_ratio') ?? 0),
      },
      sockets,
      backgroundCommandsPerSec: backgroundPerSec,
      sparse,
      burst,
      queue,
      drain,
      sizing,
      settings,
    }),
  )
}

await runBench(main)
