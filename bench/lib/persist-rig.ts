/**
 * What the persistence benchmarks share (bench:persist, its sustained mode bench:persist-sustained):
 * cart-api and persistence-worker from their builds on a database, shoppers whose carts exist
 * before the clock starts, the load's requests, and a trigger that logs every `carts` row write
 * (user, version, clock time, transaction), from which each mutation's lag is exact.
 */

import { seedBook } from '@bookstore/test-kit'
import type autocannon from 'autocannon'
import type { Redis } from 'ioredis'
import { type BenchDatabase, openBenchDatabase } from './database'
import { type Server, startServer } from './processes'

export interface Shopper {
  id: string
  authorization: string
  /** Changes sent so far: picks the next operation. */
  sent: number
}

export interface Mutation {
  userId: string
  version: number
  committedAt: number
}

export const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number)
export const round3 = (value: number) => Math.round(value * 1000) / 1000

/** The two books every cart takes and gives back (a large stock: no change is ever refused for it). */
export const benchBooks = (runId: string) => ({ a: `${runId}-book-a`, b: `${runId}-book-b` })

/**
 * The load's requests: the hot cart (if any) takes `hotSharePercent` of the picks and only changes
 * quantities (it never hits a limit); the others also add and remove a book. Every 200 answer is
 * recorded in `mutations`.
 */
export function mutationRequests(
  books: { a: string; b: string },
  shoppers: readonly Shopper[],
  hot: { shopper: Shopper; sharePercent: number } | undefined,
  mutations: Mutation[],
) {
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const isHot = hot !== undefined && Math.random() * 100 < hot.sharePercent
    const shopper = isHot ? hot.shopper : (shoppers[Math.floor(Math.random() * shoppers.length)] as Shopper)
    const step = shopper.sent++
    const kind = isHot ? 0 : step % 3
    const headers = { authorization: shopper.authorization, 'content-type': 'application/json' }
    if (kind === 0)
      return {
        ...request,
        method: 'PUT',
        path: `/cart/items/${books.a}`,
        headers,
        body: JSON.stringify({ quantity: (step % 20) + 1 }),
      }
    if (kind === 1)
      return {
        ...request,
        method: 'POST',
        path: '/cart/items',
        headers,
        body: JSON.stringify({ bookId: books.b }),
      }
    return {
      ...request,
      method: 'DELETE',
      path: `/cart/items/${books.b}`,
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

/** The newest version of each cart among `mutations`. */
export function newestVersions(mutations: readonly Mutation[]): Map<string, number> {
  const newest = new Map<string, number>()
  for (const mutation of mutations)
    newest.set(mutation.userId, Math.max(newest.get(mutation.userId) ?? 0, mutation.version))
  return newest
}

/** Polls until PostgreSQL holds at least these versions; false if the deadline passed first. */
export async function waitForVersions(
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
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export interface PersistRig {
  cartApi: Server
  worker: Server
  database: BenchDatabase
  shoppers: Shopper[]
}

/**
 * The worker (it applies the migrations) and cart-api from their builds on `databaseUrl`, every
 * shopper's cart given book A and persisted before the clock starts, then the trigger that logs
 * every carts row write from there on.
 */
export async function startPersistRig(options: {
  redis: Redis
  databaseUrl: string
  books: { a: string; b: string }
  shoppers: Shopper[]
  /** Settings of both apps (REDIS_URL, JWT_PUBLIC_KEY, QUEUE_PREFIX, ...). */
  env: Record<string, string>
  workerEnv?: Record<string, string>
}): Promise<PersistRig> {
  const { redis, books, shoppers } = options
  for (const bookId of [books.a, books.b])
    await seedBook(redis, { bookId, title: 'Persisting Carts', priceCents: 1500, stock: 1_000_000 })
  const env = { ...options.env, DATABASE_URL: options.databaseUrl, HOST: '127.0.0.1' }
  const worker = await startServer('persistence-worker', ['apps/persistence-worker/dist/main.js'], {
    ...env,
    ...options.workerEnv,
  })
  const cartApi = await startServer('cart-api', ['apps/cart-api/dist/main.js'], env)
  const database = openBenchDatabase(options.databaseUrl)

  for (let index = 0; index < shoppers.length; index += 200)
    await Promise.all(
      shoppers.slice(index, index + 200).map(async (shopper) => {
        const response = await fetch(`${cartApi.url}/cart/items`, {
          method: 'POST',
          headers: { authorization: shopper.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ bookId: books.a }),
        })
        if (response.status !== 200)
          throw new Error(`setup add answered ${response.status}: ${await response.text()}`)
      }),
    )
  if (!(await waitForVersions(database, new Map(shoppers.map((s) => [s.id, 1])), 60_000)))
    throw new Error('the setup adds did not reach PostgreSQL within 60 s')
  await database.query(`
    CREATE TABLE bench_cart_writes (id bigserial PRIMARY KEY, user_id text NOT NULL, version bigint NOT NULL,
      written_at timestamptz NOT NULL DEFAULT clock_timestamp(), tx bigint NOT NULL DEFAULT txid_current());
    CREATE FUNCTION bench_log_cart_write() RETURNS trigger AS $$
    BEGIN INSERT INTO bench_cart_writes (user_id, version) VALUES (NEW.user_id, NEW.version); RETURN NEW; END
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER bench_log_cart_write AFTER INSERT OR UPDATE ON carts
      FOR EACH ROW EXECUTE FUNCTION bench_log_cart_write();
  `)
  return { cartApi, worker, database, shoppers }
}

/** The id of the newest logged write: what a load's writes come after. */
export async function lastCartWrite(database: BenchDatabase): Promise<string> {
  const [row] = await database.query<{ last: string }>(
    'SELECT coalesce(max(id), 0) AS last FROM bench_cart_writes',
  )
  return row?.last ?? '0'
}

export interface PersistenceFigures {
  /** Each mutation's lag (ms), sorted; one not persisted counts until `gaveUpAt`. */
  lags: number[]
  notPersisted: number
  /** Carts row writes that made at least one mutation durable. */
  databaseWrites: number
  /** Of those, writes of `hotUser`'s cart (and its mutations). */
  hot: { mutations: number; databaseWrites: number }
  /** Distinct transactions that wrote carts rows after `since`. */
  transactions: number
}

/**
 * Every mutation's lag: the first write of its cart at a version >= its own, minus its commit time
 * (the cart's `updatedAt` in the answer, set inside the Lua commit). Writes of one cart only ever
 * go up in version (the guard), so that write is the one that made it durable. Only such writes
 * count: requests still in flight when the load stopped were committed unseen, and a write of
 * theirs alone made no mutation durable.
 */
export async function persistenceFigures(
  database: BenchDatabase,
  mutations: readonly Mutation[],
  since: string,
  gaveUpAt: number,
  hotUser?: string,
): Promise<PersistenceFigures> {
  const writes = await database.query<{ user_id: string; version: string; written_ms: string }>(
    `SELECT user_id, version, (extract(epoch from written_at) * 1000)::bigint AS written_ms
       FROM bench_cart_writes WHERE id > $1 ORDER BY user_id, version`,
    [since],
  )
  const [txRow] = await database.query<{ transactions: string }>(
    'SELECT count(DISTINCT tx) AS transactions FROM bench_cart_writes WHERE id > $1',
    [since],
  )
  const writesByUser = new Map<string, Array<{ version: number; at: number }>>()
  for (const row of writes) {
    const list = writesByUser.get(row.user_id) ?? []
    list.push({ version: Number(row.version), at: Number(row.written_ms) })
    writesByUser.set(row.user_id, list)
  }
  const lags: number[] = []
  let notPersisted = 0
  const covering = new Set<{ version: number; at: number }>()
  let hotWrites = 0
  let hotMutations = 0
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
    if (mutation.userId === hotUser) hotMutations++
    if (write === undefined) notPersisted++
    else if (!covering.has(write)) {
      covering.add(write)
      if (mutation.userId === hotUser) hotWrites++
    }
    lags.push(Math.max(0, (write?.at ?? gaveUpAt) - mutation.committedAt))
  }
  lags.sort((a, b) => a - b)
  return {
    lags,
    notPersisted,
    databaseWrites: covering.size,
    hot: { mutations: hotMutations, databaseWrites: hotWrites },
    transactions: Number(txRow?.transactions ?? 0),
  }
}
