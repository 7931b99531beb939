/**
 * `pnpm bench:persist`: how fast and how cheaply cart changes reach PostgreSQL (SPEC P1-P3).
 *
 * cart-api and persistence-worker run from their builds (apps/<app>/dist/main.js), each in its own
 * process, on a fresh database. The bench sends a steady BENCH_RATE mutations/s (default 1,000)
 * for BENCH_DURATION seconds (default 30) through cart-api's HTTP API: most over BENCH_USERS carts
 * (2,000), BENCH_HOT_SHARE percent (10) on ONE hot cart. A trigger the bench adds to `carts` logs
 * every row write (user, version, clock time), so that, after the last change reached PostgreSQL:
 *   - persistence lag of a mutation = the first write of its cart at a version >= its own, minus its
 *     commit time (the cart's `updatedAt` in the answer, set inside the Lua commit);
 *   - database writes per mutation = carts rows written / mutations answered 200 (overall and on
 *     the hot cart; below 1 when bursts coalesce).
 * Targets: lag p99 < 1 s; writes per mutation on the hot cart < 1. Prints the figures; the LAST line
 * is one JSON object. Exits non-zero on a 5xx or network error, or if PostgreSQL does not catch up.
 *
 * Environment: BENCH_DURATION, BENCH_RATE, BENCH_USERS, BENCH_HOT_SHARE, REDIS_URL, DATABASE_URL
 * (the server to create the bench database on; default the local PostgreSQL).
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createTestDatabase, generateTestKeys, seedBook, signTestToken } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import pg from 'pg'
import { cleanUp, onCleanUp, runBench } from './lib/cleanup'
import { intFromEnv } from './lib/env'
import { startServer } from './lib/processes'
import { chooseRedis, cleanUpRunKeys } from './lib/redis-target'

const target = { lagP99Ms: 1000, hotWritesPerMutation: 1 } as const

const settings = {
  durationSec: intFromEnv('BENCH_DURATION', 30),
  rate: intFromEnv('BENCH_RATE', 1000),
  users: intFromEnv('BENCH_USERS', 2000),
  hotSharePercent: intFromEnv('BENCH_HOT_SHARE', 10),
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

const mutations: Mutation[] = []
const failures: string[] = []
let refused = 0

/** One change through cart-api; a 200 is recorded with its version and commit time. */
async function send(baseUrl: string, shopper: Shopper, hot: boolean): Promise<void> {
  const step = shopper.sent++
  // The hot cart only changes quantities (it never hits a limit); the others also add and remove a book.
  const kind = hot ? 0 : step % 3
  const quantity = (step % 20) + 1
  const request =
    kind === 0
      ? { method: 'PUT', path: `/cart/items/${bookA}`, body: JSON.stringify({ quantity }) }
      : kind === 1
        ? { method: 'POST', path: '/cart/items', body: JSON.stringify({ bookId: bookB }) }
        : { method: 'DELETE', path: `/cart/items/${bookB}`, body: undefined }
  try {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: {
        authorization: shopper.authorization,
        ...(request.body ? { 'content-type': 'application/json' } : {}),
      },
      body: request.body,
    })
    const text = await response.text()
    if (response.status === 200) {
      const cart = JSON.parse(text) as { version: number; updatedAt: number }
      mutations.push({ userId: shopper.id, version: cart.version, committedAt: cart.updatedAt })
    } else if (response.status < 500) {
      refused++ // an add or remove that crossed another change of the same cart: not a mutation
    } else failures.push(`${response.status} ${text.slice(0, 200)}`)
  } catch (error) {
    failures.push(String(error))
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number)

async function main() {
  const redisUrl = await chooseRedis()
  const redis = new Redis(redisUrl, { connectionName: 'persist-bench' })
  onCleanUp('redis connection', () => redis.quit())
  cleanUpRunKeys(redis, runId)
  const database = await createTestDatabase()
  onCleanUp('bench database', () => database.drop())

  console.log(
    `bench persist (${runId}): ${settings.rate} mutations/s for ${settings.durationSec} s, ${settings.users} carts ` +
      `+ 1 hot cart (${settings.hotSharePercent}% of changes), redis ${redisUrl}`,
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
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    QUEUE_PREFIX: runId,
  }
  // The worker first: it applies the migrations.
  await startServer('persistence-worker', ['apps/persistence-worker/dist/main.js'], common)
  const cartApi = await startServer('cart-api', ['apps/cart-api/dist/main.js'], common)

  const db = new pg.Client({ connectionString: database.url })
  await db.connect()
  onCleanUp('bench database client', () => db.end())

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
  await waitForVersions(db, new Map([...shoppers, hot].map((shopper) => [shopper.id, 1])), 60_000)
  await db.query(`
    CREATE TABLE bench_cart_writes (user_id text NOT NULL, version bigint NOT NULL,
      written_at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE FUNCTION bench_log_cart_write() RETURNS trigger AS $$
    BEGIN INSERT INTO bench_cart_writes (user_id, version) VALUES (NEW.user_id, NEW.version); RETURN NEW; END
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER bench_log_cart_write AFTER INSERT OR UPDATE ON carts
      FOR EACH ROW EXECUTE FUNCTION bench_log_cart_write();
  `)

  // The load: a steady rate, sent in 10 ms slices; the hot cart takes its share of every slice.
  const slicesPerSec = 100
  const total = settings.rate * settings.durationSec
  const inFlight = new Set<Promise<void>>()
  const started = Date.now()
  let sentCount = 0
  let hotCredit = 0
  while (sentCount < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * settings.rate))
    while (sentCount < due) {
      hotCredit += settings.hotSharePercent / 100
      const isHot = hotCredit >= 1
      if (isHot) hotCredit -= 1
      const shopper = isHot ? hot : (shoppers[Math.floor(Math.random() * shoppers.length)] as Shopper)
      const pending = send(cartApi.url, shopper, isHot).finally(() => inFlight.delete(pending))
      inFlight.add(pending)
      sentCount++
    }
    await sleep(1000 / slicesPerSec)
  }
  await Promise.all(inFlight)
  const loadSec = (Date.now() - started) / 1000

  // Until PostgreSQL holds the newest version of every cart.
  const newest = new Map<string, number>()
  for (const mutation of mutations)
    newest.set(mutation.userId, Math.max(newest.get(mutation.userId) ?? 0, mutation.version))
  const caughtUp = await waitForVersions(db, newest, 60_000)

  const { rows } = await db.query<{ user_id: string; version: string; written_ms: string }>(
    'SELECT user_id, version, (extract(epoch from written_at) * 1000)::bigint AS written_ms FROM bench_cart_writes ORDER BY user_id, version',
  )
  const writesByUser = new Map<string, Array<{ version: number; at: number }>>()
  for (const row of rows) {
    const list = writesByUser.get(row.user_id) ?? []
    list.push({ version: Number(row.version), at: Number(row.written_ms) })
    writesByUser.set(row.user_id, list)
  }
  // Writes of one cart only ever go up in version (the guard), so the first write at a version >= v
  // is the one that made mutation v durable.
  const lags: number[] = []
  for (const mutation of mutations) {
    const writes = writesByUser.get(mutation.userId) ?? []
    let low = 0
    let high = writes.length
    while (low < high) {
      const mid = (low + high) >> 1
      if ((writes[mid] as { version: number }).version >= mutation.version) high = mid
      else low = mid + 1
    }
    const write = writes[low]
    if (write) lags.push(Math.max(0, write.at - mutation.committedAt))
  }
  lags.sort((a, b) => a - b)
  const hotMutations = mutations.filter((mutation) => mutation.userId === hotUser).length
  const hotWrites = writesByUser.get(hotUser)?.length ?? 0
  const round3 = (value: number) => Math.round(value * 1000) / 1000

  await cleanUp()
  if (failures.length > 0)
    throw new Error(`${failures.length} requests failed, e.g.:\n  ${failures.slice(0, 5).join('\n  ')}`)
  if (!caughtUp) throw new Error('PostgreSQL did not catch up with Redis within 60 s after the load')

  const figures = {
    bench: 'persist',
    mutations: mutations.length,
    refused,
    achievedRate: Math.round(mutations.length / loadSec),
    durationSec: settings.durationSec,
    carts: settings.users + 1,
    lagP50Ms: quantile(lags, 0.5),
    lagP99Ms: quantile(lags, 0.99),
    lagMaxMs: lags.at(-1) ?? 0,
    databaseWrites: rows.length,
    writesPerMutation: round3(rows.length / Math.max(1, mutations.length)),
    hotCart: {
      mutations: hotMutations,
      databaseWrites: hotWrites,
      writesPerMutation: round3(hotWrites / Math.max(1, hotMutations)),
    },
  }
  const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES')
  console.log(
    `${figures.mutations} mutations (${figures.achievedRate}/s): lag p50 ${figures.lagP50Ms} ms, p99 ${figures.lagP99Ms} ms ` +
      `(${verdict(figures.lagP99Ms < target.lagP99Ms)} target < ${target.lagP99Ms} ms); ` +
      `${figures.databaseWrites} carts rows written = ${figures.writesPerMutation} per mutation; hot cart ` +
      `${figures.hotCart.databaseWrites} for ${figures.hotCart.mutations} = ${figures.hotCart.writesPerMutation} ` +
      `(${verdict(figures.hotCart.writesPerMutation < target.hotWritesPerMutation)} target < 1)`,
  )
  console.log(JSON.stringify({ ...figures, targets: target }))
}

/** Polls until PostgreSQL holds at least these versions; false if the deadline passed first. */
async function waitForVersions(
  db: pg.Client,
  wanted: Map<string, number>,
  timeoutMs: number,
): Promise<boolean> {
  const ids = [...wanted.keys()]
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await db.query<{ user_id: string; version: string }>(
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
