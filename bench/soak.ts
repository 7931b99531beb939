/**
 * `pnpm bench:soak`: a mixed load across the stack for BENCH_SOAK_MINUTES (10), and whether memory
 * stays flat (SPEC: "no app's memory grows with traffic once warm (a 10-minute load leaves RSS
 * flat)"; issue 18: each app's RSS and the Redis key count within 10% from minute 1 to the end).
 *
 * cart-api, persistence-worker, realtime-gateway, book-api, catalog-worker, order-api, mail-worker
 * and scheduler run from their builds, each its own process, on a fresh database and a private
 * redis-server (REDIS_URL to use another one: the key count then counts every key there, and the
 * scheduler's sweeps see every cart there), with the repository's SMTP sink (packages/smtp-sink)
 * as mail-worker's server. Every app runs with its production settings except the shopper rate
 * limit (lifted, bench-settings.ts) and the log level.
 *
 * Before the clock: BENCH_BOOKS books (200) created through book-api's admin API, BENCH_SHOPPERS
 * shoppers (500, each with an account row so that confirmations are e-mailed) each given one book
 * through cart-api, and BENCH_SOCKETS live-cart clients (200, packages/realtime-client, one per
 * shopper) holding the first shoppers' carts open on realtime-gateway. Then, open loop at a steady, moderate rate (the box has
 * 2 cores and is shared; this is not a load test):
 *   - BENCH_CART_RATE (40) cart changes/s on cart-api: adds, set-quantity and removes, one at a time
 *     per shopper, up to 4 lines per cart;
 *   - BENCH_READ_RATE (15) catalog reads/s on book-api (a page of the list or one book) and
 *     BENCH_SEARCH_RATE (5) full-text searches/s;
 *   - BENCH_CHECKOUTS_PER_MIN (30) checkouts through order-api (GET /cart for its version, then
 *     POST /checkout): the saga reserves stock in book-api, clears the cart, mails the confirmation;
 *   - BENCH_PRICE_CHANGES_PER_MIN (6) admin price changes on book-api: catalog-worker re-prices
 *     every cart holding the book, and those changes reach the sockets.
 * Errors are answers other than 2xx, the expected 409 (checkout: price changed, cart changed) and
 * 429, a 404 of a cart change whose line a checkout or a sweep had just changed (counted apart as
 * stale), network errors and timeouts (10 s).
 *
 * Samples every minute from the start of the load: each app process' RSS (/proc/<pid>/status
 * VmRSS) as it is and right after a full garbage collection (asked over the app's inspector port:
 * garbage not yet collected is not memory the app holds), and the Redis keys counted by kind (SCAN;
 * a row for every kind whose count moved). Checked: each app's RSS after the collection and the key
 * count at the end against minute 1 (growth < 10%; the kinds kept for a fixed window after their
 * work or kept to a count, counted apart: see retainedKinds), no errors,
 * every live-cart client (packages/realtime-client, which resyncs after a gap) on its cart's current
 * version at the end, every order settled and its confirmation received by the sink.
 * Prints a line per sample and the table; the LAST line is one JSON object.
 *
 * Environment: BENCH_SOAK_MINUTES (10; BENCH_QUICK=1: 2), the rates and sizes above, REDIS_URL,
 * DATABASE_URL (the server the bench database is created on; default the local PostgreSQL).
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { migrateDatabase } from '@bookstore/db'
import { cartKeys, catalogQueueNames, emailQueueNames, REALTIME_PATH } from '@bookstore/events'
import {
  createRealtimeClient,
  type RealtimeClient,
  type WebSocketConstructor,
} from '@bookstore/realtime-client'
import {
  createTestDatabase,
  freePort,
  generateTestKeys,
  signTestToken,
  startPrivateRedis,
} from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { WebSocket } from 'ws'
import { cartRateLimitEnv } from './bench-settings'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { openBenchDatabase } from './lib/database'
import { intFromEnv, quick } from './lib/env'
import { quantileOf } from './lib/open-loop'
import { memoryAfterGc, rssOf } from './lib/process-memory'
import { rootDir, type Server, startServer, stopProcess } from './lib/processes'
import { benchReport, checked, figure, formatNumber, printReport, type Row } from './lib/report'

const target = { growthPercent: 10 } as const

const settings = {
  minutes: intFromEnv('BENCH_SOAK_MINUTES', quick ? 2 : 10),
  shoppers: intFromEnv('BENCH_SHOPPERS', 500),
  books: intFromEnv('BENCH_BOOKS', 200),
  sockets: intFromEnv('BENCH_SOCKETS', 200),
  cartRate: intFromEnv('BENCH_CART_RATE', 40),
  readRate: intFromEnv('BENCH_READ_RATE', 15),
  searchRate: intFromEnv('BENCH_SEARCH_RATE', 5),
  checkoutsPerMin: intFromEnv('BENCH_CHECKOUTS_PER_MIN', 30),
  priceChangesPerMin: intFromEnv('BENCH_PRICE_CHANGES_PER_MIN', 6),
}
const maxLinesPerCart = 4
const maxInFlight = 200
const requestTimeoutMs = 10_000

const runId = `bench-${randomUUID().slice(0, 8)}`
const words = ['river', 'garden', 'winter', 'silent', 'copper', 'harbor', 'maple', 'stone', 'amber', 'north']
const bookIdOf = (index: number) => `${runId}-book-${index}`
const titleOf = (index: number) =>
  `The ${words[index % words.length]} ${words[Math.floor(index / words.length) % words.length]} ${index}`
const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)] as T

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

/** What a Redis key is, from its name (packages/events keys, the BullMQ prefix of the run). */
function keyKind(key: string): string {
  if (key.startsWith(`${runId}:`)) return `queue ${key.split(':')[1] ?? '?'}`
  if (/^cart:\{[^}]*\}$/.test(key)) return 'cart documents'
  if (key.endsWith(':version') && key.startsWith('cart:{')) return 'cart versions'
  if (key.endsWith(':idem') || key.endsWith(':idem-order')) return 'idempotency answers'
  if (key.endsWith(':mutations') && key.startsWith('cart:{')) return 'rate windows'
  if (key.startsWith('book-carts:')) return 'book-carts indexes'
  if (key.startsWith('book:')) return 'book read models'
  if (key.startsWith('fake-payments:')) return 'fake payment records'
  return 'other'
}

async function countKeys(redis: Redis) {
  const kinds: Record<string, number> = {}
  const others: string[] = []
  let total = 0
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      const kind = keyKind(key)
      kinds[kind] = (kinds[kind] ?? 0) + 1
      if (kind === 'other' && others.length < 10) others.push(key)
      total++
    }
  } while (cursor !== '0')
  const memory = await redis.info('memory')
  const usedMemory = Number(/^used_memory:(\d+)/m.exec(memory)?.[1] ?? 0)
  return { total, dbsize: await redis.dbsize(), kinds, others, usedMemory }
}

interface Sample {
  minute: number
  /** Each app's resident set as it is (garbage not yet collected included). */
  rssMb: Record<string, number>
  /** Each app's resident set right after a full garbage collection: what it holds. */
  heldMb: Record<string, number>
  keys: Awaited<ReturnType<typeof countKeys>>
}

/**
 * Kinds of key bounded by design but not flat over ten minutes: each grows with the work done
 * until its bound, then stays. Kept for a time after their work is done: finished catalog events
 * (their ids deduplicate a re-sent event for an hour), sent e-mails (a shopper is not mailed twice
 * for a week), the stand-in payment provider's records (30 days: the real provider's storage, not
 * the shop's). Kept to a count: each schedule's last runs (100). One per shopper who checked out:
 * the Idempotency-Key answers (24 h, at most IDEMPOTENCY_ANSWERS_KEPT each). They are shown apart,
 * kind by kind; the flat check is on every other key.
 */
const retainedKinds = (kind: string) =>
  kind === `queue ${catalogQueueNames.catalogEvents}` ||
  kind === `queue ${emailQueueNames.email}` ||
  kind === 'fake payment records' ||
  kind === 'idempotency answers' ||
  kind.startsWith('queue {schedule-')

/** The repository's SMTP sink as its own process, on free ports; stopped at clean-up. */
async function startSmtpSinkProcess() {
  const smtpPort = await freePort()
  const httpPort = await freePort()
  const child = spawn(process.execPath, ['packages/smtp-sink/dist/main.js'], {
    cwd: rootDir,
    env: {
      ...process.env,
      SMTP_PORT: String(smtpPort),
      HTTP_PORT: String(httpPort),
      MAX_MESSAGES: '100000',
    },
    // Its log of every message would drown the bench's output: it is not wanted.
    stdio: ['ignore', 'ignore', 2],
  })
  onCleanUp('smtp-sink', () => stopProcess(child))
  const viewerUrl = `http://127.0.0.1:${httpPort}`
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await fetch(`${viewerUrl}/api/messages`)).ok) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('smtp-sink did not start')
    await sleep(100)
  }
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    received: async () =>
      ((await (await fetch(`${viewerUrl}/api/messages`)).json()) as { total: number }).total,
  }
}

interface Shopper {
  userId: string
  authorization: string
  /** The books in the cart, as the last answer said. */
  lines: string[]
  busy: boolean
  /** The last change was refused: read the cart before the next one. */
  stale: boolean
}

type Kind = 'cart' | 'read' | 'search' | 'checkout' | 'price'

/** Answers of one kind of request. */
interface Tally {
  ok: number
  /** 409 and 429, and the 404 of a stale cart line. */
  expected: number
  errors: number
  statuses: Record<string, number>
  latencies: number[]
}
const newTally = (): Tally => ({ ok: 0, expected: 0, errors: 0, statuses: {}, latencies: [] })

async function main() {
  // The key count must be this run's alone, and the scheduler SCANs every cart of its Redis.
  let redisUrl = process.env.REDIS_URL
  if (!redisUrl) {
    const privateRedis = await startPrivateRedis()
    onCleanUp('private redis-server', () => privateRedis.stop())
    redisUrl = privateRedis.url
  }
  const redis = new Redis(redisUrl, { connectionName: 'soak-bench' })
  onCleanUp('redis connection', async () => redis.disconnect())
  const database = await createTestDatabase()
  onCleanUp('bench database', () => database.drop())
  await migrateDatabase(database.url)
  const bench = openBenchDatabase(database.url)
  const sink = await startSmtpSinkProcess()

  const keys = generateTestKeys()
  const env = {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: runId,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    SMTP_URL: sink.smtpUrl,
    ...cartRateLimitEnv(),
  }
  // Each app with its inspector open, so that a sample can ask for a full collection first.
  const inspectorPorts = new Map<string, number>()
  const start = async (name: string) => {
    const inspectorPort = await freePort()
    inspectorPorts.set(name, inspectorPort)
    return startServer(name, [`--inspect=127.0.0.1:${inspectorPort}`, `apps/${name}/dist/main.js`], env)
  }
  const apps: Server[] = []
  for (const name of [
    'book-api',
    'catalog-worker',
    'persistence-worker',
    'cart-api',
    'realtime-gateway',
    'order-api',
    'mail-worker',
    'scheduler',
  ])
    apps.push(await start(name))
  const url = (name: string) => apps.find((app) => app.name === name)?.url ?? ''
  const [bookApi, cartApi, orderApi] = [url('book-api'), url('cart-api'), url('order-api')]

  const admin = {
    authorization: `Bearer ${await signTestToken(keys.privateKey, `${runId}-admin`, { role: 'admin', expiresIn: 7200 })}`,
    'content-type': 'application/json',
  }
  const bookIds = Array.from({ length: settings.books }, (_, index) => bookIdOf(index))
  for (let index = 0; index < settings.books; index++) {
    const created = await fetch(`${bookApi}/admin/books`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        id: bookIdOf(index),
        title: titleOf(index),
        author: `${words[(index * 3) % words.length]} Writer`,
        priceCents: 1000 + ((index * 37) % 2000),
        stock: 1_000_000,
      }),
    })
    if (created.status !== 201) throw new Error(`could not create a book: ${await created.text()}`)
  }
  for (const bookId of bookIds)
    while ((await redis.hget(`book:${bookId}`, 'bookId')) !== bookId) await sleep(20)

  const shoppers: Shopper[] = []
  for (let index = 0; index < settings.shoppers; index++) {
    const userId = `${runId}-user-${index}`
    shoppers.push({
      userId,
      authorization: `Bearer ${await signTestToken(keys.privateKey, userId, { expiresIn: 7200 })}`,
      lines: [],
      busy: false,
      stale: false,
    })
  }
  // Accounts, so that order-api finds an address to mail each confirmation to.
  await bench.query(
    `insert into users (id, email, password_hash)
       select id, id || '@soak.test', 'not-a-hash' from unnest($1::text[]) as id`,
    [shoppers.map((shopper) => shopper.userId)],
  )
  for (let index = 0; index < shoppers.length; index += 100)
    await Promise.all(
      shoppers.slice(index, index + 100).map(async (shopper, offset) => {
        const bookId = bookIdOf((index + offset) % settings.books)
        const response = await fetch(`${cartApi}/cart/items`, {
          method: 'POST',
          headers: { authorization: shopper.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ bookId }),
        })
        if (response.status !== 200) throw new Error(`setup add answered ${response.status}`)
        shopper.lines = [bookId]
      }),
    )

  // The shop's own live-cart client (packages/realtime-client): it resyncs after a gap, reconnects.
  const socketCount = Math.min(settings.sockets, settings.shoppers)
  const latencies: number[] = []
  const eventsByOp: Record<string, number> = {}
  const shopperOps = new Set(['add-item', 'set-quantity', 'remove-item'])
  const clients: { shopper: Shopper; client: RealtimeClient }[] = []
  onCleanUp('sockets', async () => {
    for (const { client } of clients) client.close()
  })
  for (const shopper of shoppers.slice(0, socketCount)) {
    const client = createRealtimeClient({
      url: `${url('realtime-gateway').replace('http:', 'ws:')}${REALTIME_PATH}`,
      token: shopper.authorization.slice('Bearer '.length),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      onCart: (cart, source) => {
        if (source.kind !== 'event') return
        const op = source.event.op
        eventsByOp[op] = (eventsByOp[op] ?? 0) + 1
        // A catalog re-pricing keeps the cart's updatedAt (the shopper did not touch it): only the
        // shopper's own changes tell a commit-to-socket latency.
        if (shopperOps.has(op) && cart.updatedAt !== null) latencies.push(Date.now() - cart.updatedAt)
      },
    })
    clients.push({ shopper, client })
  }
  await Promise.all(clients.map(({ client }) => client.ready()))
  const socketStats = () => {
    const total = { applied: 0, ignored: 0, gaps: 0, snapshots: 0, reconnects: 0, orderEvents: 0 }
    for (const { client } of clients) {
      total.applied += client.stats.applied
      total.ignored += client.stats.ignored
      total.gaps += client.stats.gaps
      total.snapshots += client.stats.snapshots
      total.reconnects += Math.max(0, client.stats.connects - 1)
      total.orderEvents += client.stats.orderEvents
    }
    return total
  }
  console.log(
    `bench soak (${runId}): ${settings.minutes} min; ${settings.shoppers} shoppers over ${settings.books} books, ` +
      `${socketCount} sockets; per second ${settings.cartRate} cart changes, ${settings.readRate} reads, ` +
      `${settings.searchRate} searches; per minute ${settings.checkoutsPerMin} checkouts, ` +
      `${settings.priceChangesPerMin} price changes; redis ${redisUrl}`,
  )

  const tallies: Record<Kind, Tally> = {
    cart: newTally(),
    read: newTally(),
    search: newTally(),
    checkout: newTally(),
    price: newTally(),
  }
  let inFlight = 0
  let skipped = 0
  /** One request, tallied; undefined for a network error or timeout. */
  const send = async (
    kind: Kind,
    target: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
    expected: (status: number) => boolean = (status) => status === 409 || status === 429,
  ): Promise<{ status: number; body: unknown } | undefined> => {
    const tally = tallies[kind]
    const startedAt = performance.now()
    inFlight++
    try {
      const response = await fetch(target, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) })
      const text = await response.text()
      tally.latencies.push(performance.now() - startedAt)
      tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1
      if (response.ok) tally.ok++
      else if (expected(response.status)) tally.expected++
      else tally.errors++
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
      return { status: response.status, body }
    } catch (error) {
      const name = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'error'
      tally.statuses[name] = (tally.statuses[name] ?? 0) + 1
      tally.errors++
      return undefined
    } finally {
      inFlight--
    }
  }

  const linesOf = (body: unknown): string[] | undefined => {
    const items = (body as { items?: { bookId: string }[] } | undefined)?.items
    return Array.isArray(items) ? items.map((item) => item.bookId) : undefined
  }
  const freeShopper = () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const shopper = pick(shoppers)
      if (!shopper.busy) return shopper
    }
    return undefined
  }
  const withShopper = (work: (shopper: Shopper) => Promise<void>) => {
    const shopper = freeShopper()
    if (!shopper) {
      skipped++
      return
    }
    shopper.busy = true
    void work(shopper).finally(() => {
      shopper.busy = false
    })
  }

  const cartChange = (shopper: Shopper) =>
    (async () => {
      const headers = { authorization: shopper.authorization }
      const json = { ...headers, 'content-type': 'application/json' }
      if (shopper.stale) {
        const read = await send('cart', `${cartApi}/cart`, { method: 'GET', headers })
        const lines = linesOf(read?.body)
        if (lines) {
          shopper.lines = lines
          shopper.stale = false
        }
        return
      }
      const roll = Math.random()
      const existing = shopper.lines.length > 0 ? pick(shopper.lines) : undefined
      // A 404 of a line a checkout or a price sweep changed meanwhile is expected, not an error.
      const staleOk = (status: number) => status === 404 || status === 409 || status === 429
      let answer: { status: number; body: unknown } | undefined
      if (existing === undefined || (shopper.lines.length < maxLinesPerCart && roll < 0.45)) {
        const bookId = pick(bookIds)
        answer = await send('cart', `${cartApi}/cart/items`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ bookId }),
        })
      } else if (roll < 0.8) {
        answer = await send(
          'cart',
          `${cartApi}/cart/items/${existing}`,
          {
            method: 'PUT',
            headers: json,
            body: JSON.stringify({ quantity: 1 + Math.floor(Math.random() * 5) }),
          },
          staleOk,
        )
      } else {
        answer = await send(
          'cart',
          `${cartApi}/cart/items/${existing}`,
          { method: 'DELETE', headers },
          staleOk,
        )
      }
      const lines = answer?.status === 200 ? linesOf(answer.body) : undefined
      if (lines) shopper.lines = lines
      else shopper.stale = true
    })()

  const checkout = (shopper: Shopper) =>
    (async () => {
      const headers = { authorization: shopper.authorization }
      const read = await send('checkout', `${cartApi}/cart`, { method: 'GET', headers })
      const cart = read?.body as { version?: number; items?: unknown[] } | undefined
      if (read?.status !== 200 || cart?.version === undefined || (cart.items?.length ?? 0) === 0) return
      await send('checkout', `${orderApi}/checkout`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ cartVersion: cart.version }),
      })
      // The saga empties the cart: read it before the next change.
      shopper.stale = true
    })()

  const read = () => {
    const target =
      Math.random() < 0.5
        ? `${bookApi}/books?page=${1 + Math.floor(Math.random() * 5)}&pageSize=20`
        : `${bookApi}/books/${pick(bookIds)}`
    void send('read', target, { method: 'GET' })
  }
  const search = () => {
    const q = encodeURIComponent(Math.random() < 0.5 ? pick(words) : `${pick(words)} ${pick(words)}`)
    void send('search', `${bookApi}/books?q=${q}&pageSize=10`, { method: 'GET' })
  }
  const priceChange = () => {
    void send('price', `${bookApi}/admin/books/${pick(bookIds)}`, {
      method: 'PATCH',
      headers: admin,
      body: JSON.stringify({ priceCents: 1000 + Math.floor(Math.random() * 2000) }),
    })
  }

  const samples: Sample[] = []
  const sample = async (minute: number) => {
    const rssMb: Record<string, number> = {}
    const heldMb: Record<string, number> = {}
    for (const app of apps) {
      rssMb[app.name] = mb(rssOf(app.pid))
      heldMb[app.name] = mb((await memoryAfterGc(inspectorPorts.get(app.name) ?? 0)).rss)
    }
    const entry: Sample = { minute, rssMb, heldMb, keys: await countKeys(redis) }
    samples.push(entry)
    console.log(
      `minute ${minute}: RSS (after a full GC) ${Object.entries(rssMb)
        .map(([name, value]) => `${name} ${value} (${heldMb[name]}) MB`)
        .join(', ')}; redis ${formatNumber(entry.keys.total)} keys (${Object.entries(entry.keys.kinds)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, count]) => `${kind} ${count}`)
        .join(
          ', ',
        )}), used_memory ${mb(entry.keys.usedMemory)} MB; ${latencies.length} cart events on sockets, ` +
        `errors ${Object.values(tallies).reduce((sum, tally) => sum + tally.errors, 0)}`,
    )
    if (entry.keys.others.length > 0) console.log(`  other keys, e.g. ${entry.keys.others.join(' ')}`)
  }

  // The load: due requests of each kind every tick, fractions carried over.
  const perSecond: Record<Kind, number> = {
    cart: settings.cartRate,
    read: settings.readRate,
    search: settings.searchRate,
    checkout: settings.checkoutsPerMin / 60,
    price: settings.priceChangesPerMin / 60,
  }
  const due: Record<Kind, number> = { cart: 0, read: 0, search: 0, checkout: 0, price: 0 }
  const fire: Record<Kind, () => void> = {
    cart: () => withShopper(cartChange),
    read,
    search,
    checkout: () => withShopper(checkout),
    price: priceChange,
  }
  const tickMs = 50
  const startedAt = Date.now()
  const endsAt = startedAt + settings.minutes * 60_000
  let nextSample = 1
  let lastTick = Date.now()
  while (Date.now() < endsAt) {
    const now = Date.now()
    const elapsedSec = (now - lastTick) / 1000
    lastTick = now
    for (const kind of Object.keys(due) as Kind[]) {
      due[kind] += perSecond[kind] * elapsedSec
      while (due[kind] >= 1) {
        due[kind] -= 1
        if (inFlight >= maxInFlight) skipped++
        else fire[kind]()
      }
    }
    if (now >= startedAt + nextSample * 60_000) {
      await sample(nextSample)
      nextSample++
    }
    await sleep(tickMs)
  }
  const loadSec = (Date.now() - startedAt) / 1000
  while (inFlight > 0) await sleep(20)
  if (nextSample <= settings.minutes) await sample(settings.minutes)

  // Every socket ends on its cart's current version (10 s at most for the last changes).
  const versionsBehind = async () => {
    const stored = await redis.mget(clients.map(({ shopper }) => cartKeys(shopper.userId).version))
    return clients.filter(({ client }, index) => client.version !== Number(stored[index])).length
  }
  let behind = await versionsBehind()
  for (let waited = 0; behind > 0 && waited < 10_000; waited += 200) {
    await sleep(200)
    behind = await versionsBehind()
  }
  // What the saga and the mail made of the checkouts (60 s at most to settle).
  const unsettledSql = `select count(*)::int as n from orders where not
    ((status = 'confirmed' and cart_cleared_at is not null and email_enqueued_at is not null) or status = 'cancelled')`
  let unsettled = 0
  for (let waited = 0; waited < 60_000; waited += 500) {
    unsettled = (await bench.query<{ n: number }>(unsettledSql))[0]?.n ?? 0
    if (unsettled === 0) break
    await sleep(500)
  }
  const orders = await bench.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from orders group by status',
  )
  const ordersBy = Object.fromEntries(orders.map((row) => [row.status, row.n]))
  const mailed = (
    await bench.query<{ n: number }>(
      'select count(*)::int as n from orders where email_enqueued_at is not null',
    )
  )[0]?.n
  let received = await sink.received()
  for (let waited = 0; received < (mailed ?? 0) && waited < 30_000; waited += 500) {
    await sleep(500)
    received = await sink.received()
  }
  const sockets = socketStats()
  const deliveryP99 = Math.round(quantileOf(latencies, 0.99))
  await bench.close()
  await cleanUp()

  const first = samples[0]
  const last = samples.at(-1)
  if (!first || !last || samples.length < 2) throw new Error('fewer than two samples were taken')
  const growth = (from: number, to: number) => (from > 0 ? Math.round(((to - from) / from) * 1000) / 10 : 0)
  // Checked after a full collection (what the app holds); the RSS as it was is in the detail.
  const rssRows: Row[] = apps.map((app) => {
    const from = first.heldMb[app.name] ?? 0
    const to = last.heldMb[app.name] ?? 0
    return checked(
      `${app.name} RSS growth after a full GC, minute ${first.minute} to ${last.minute}`,
      growth(from, to),
      '%',
      { op: '<', value: target.growthPercent },
      `${from} MB -> ${to} MB; per minute ${samples.map((entry) => entry.heldMb[app.name]).join(', ')}; ` +
        `before the GC ${first.rssMb[app.name]} MB -> ${last.rssMb[app.name]} MB`,
    )
  })
  const liveKeys = (entry: Sample) =>
    Object.entries(entry.keys.kinds)
      .filter(([kind]) => !retainedKinds(kind))
      .reduce((sum, [, count]) => sum + count, 0)
  const kindsDetail = (entry: Sample) =>
    Object.entries(entry.keys.kinds)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')
  const errors = Object.values(tallies).reduce((sum, tally) => sum + tally.errors, 0)
  const tallyDetail = (kind: Kind) => {
    const tally = tallies[kind]
    return (
      `p50 ${Math.round(quantileOf(tally.latencies, 0.5))} ms, p99 ${Math.round(quantileOf(tally.latencies, 0.99))} ms; statuses ` +
      Object.entries(tally.statuses)
        .map(([status, count]) => `${status}: ${count}`)
        .join(', ')
    )
  }
  const rate = (kind: Kind) => Math.round((tallies[kind].latencies.length / loadSec) * 10) / 10
  // Which kinds of key grew (or shrank) between the two samples.
  const kindRows: Row[] = [...new Set([...Object.keys(first.keys.kinds), ...Object.keys(last.keys.kinds)])]
    .sort()
    .flatMap((kind) => {
      const from = first.keys.kinds[kind] ?? 0
      const to = last.keys.kinds[kind] ?? 0
      if (from === to) return []
      return [
        figure(
          `Redis keys: ${kind}`,
          to - from,
          '',
          `${from} -> ${to}; per minute ${samples.map((entry) => entry.keys.kinds[kind] ?? 0).join(', ')}`,
        ),
      ]
    })
  const rows: Row[] = [
    ...rssRows,
    checked(
      `Redis key count growth (kept-for-a-window kinds apart), minute ${first.minute} to ${last.minute}`,
      growth(liveKeys(first), liveKeys(last)),
      '%',
      { op: '<', value: target.growthPercent },
      `${liveKeys(first)} -> ${liveKeys(last)}; per minute ${samples.map(liveKeys).join(', ')}`,
    ),
    figure(
      `Redis key count, every kind, minute ${first.minute} to ${last.minute}`,
      growth(first.keys.total, last.keys.total),
      '%',
      `${first.keys.total} -> ${last.keys.total}; at the end: ${kindsDetail(last)}; per minute ` +
        samples.map((entry) => entry.keys.total).join(', '),
    ),
    ...kindRows,
    figure(
      `Redis used_memory, minute ${first.minute} to ${last.minute}`,
      growth(first.keys.usedMemory, last.keys.usedMemory),
      '%',
      `${mb(first.keys.usedMemory)} MB -> ${mb(last.keys.usedMemory)} MB`,
    ),
    figure('cart changes (cart-api)', rate('cart'), 'req/s', tallyDetail('cart')),
    figure('catalog reads (book-api)', rate('read'), 'req/s', tallyDetail('read')),
    figure('catalog searches (book-api)', rate('search'), 'req/s', tallyDetail('search')),
    figure(
      'checkout requests (GET /cart + POST /checkout)',
      tallies.checkout.latencies.length,
      '',
      `${tallyDetail('checkout')}; orders ${JSON.stringify(ordersBy)}, ${mailed ?? 0} e-mails enqueued, ` +
        `${received} received by the SMTP sink`,
    ),
    checked(
      'orders not settled, or confirmations not received by the SMTP sink',
      unsettled + Math.max(0, (mailed ?? 0) - received),
      '',
      { op: '=', value: 0 },
      `${unsettled} unsettled 60 s after the load, ${mailed ?? 0} e-mails enqueued, ${received} received`,
    ),
    figure('admin price changes (book-api)', tallies.price.latencies.length, '', tallyDetail('price')),
    figure(
      `cart events applied by ${socketCount} live-cart clients (realtime-client)`,
      sockets.applied,
      '',
      `cart-api change committed to socket p99 ${deliveryP99} ms; by op ${JSON.stringify(eventsByOp)}; ${sockets.snapshots} snapshots, ${sockets.gaps} gaps (resynced), ` +
        `${sockets.ignored} ignored, ${sockets.orderEvents} order events, ${sockets.reconnects} reconnects`,
    ),
    checked(
      'errors (non-2xx other than 409/429 and stale 404s, network errors, timeouts)',
      errors,
      '',
      { op: '=', value: 0 },
      (Object.keys(tallies) as Kind[]).map((kind) => `${kind} ${tallies[kind].errors}`).join(', ') +
        `; ${skipped} requests not sent (shopper busy or ${maxInFlight} in flight)`,
    ),
    checked(
      "live-cart clients not on their cart's current version at the end",
      behind,
      '',
      { op: '=', value: 0 },
      `of ${socketCount}, 10 s after the load`,
    ),
  ]
  printReport(
    benchReport('soak', rows, {
      minutes: settings.minutes,
      settings,
      samples,
      tallies: Object.fromEntries(
        (Object.keys(tallies) as Kind[]).map((kind) => {
          const { latencies, ...rest } = tallies[kind]
          return [kind, { ...rest, requests: latencies.length }]
        }),
      ),
      orders: ordersBy,
      emailsEnqueued: mailed,
      emailsReceived: received,
      sockets: { ...sockets, eventsByOp },
      socketsBehind: behind,
      unsettledOrders: unsettled,
    }),
  )
}

await runBench(main)
