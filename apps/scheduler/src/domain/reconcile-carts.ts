import { cartToRows, readNewestCarts, readStoredCarts, sameCart } from '@bookstore/cart-store'
import type { Database } from '@bookstore/db'
import { ID_PATTERN } from '@bookstore/events'
import type { Cluster, Redis } from 'ioredis'
import { scanKeys } from './scan-keys'

export interface ReconcileDeps {
  redis: Redis | Cluster
  db: Database
  /** Enqueues a full-cart sync of these users (persistence-worker rewrites them from Redis). */
  enqueueSync: (userIds: string[]) => Promise<void>
  now: () => number
  /** Aborted (the process is shutting down): the sweep stops after the page in hand. */
  signal?: AbortSignal
}

export interface ReconcileSettings {
  batchSize: number
  /** A cart behind in PostgreSQL but changed more recently than this is left for the next sweep. */
  graceMs: number
}

export interface ReconcileStats {
  /** Carts found in Redis and compared. */
  checked: number
  inSync: number
  /** PostgreSQL older than Redis, or without the cart: repaired. */
  behind: number
  /** Same version, different rows (changed behind the worker's back): repaired. */
  differing: number
  /** Behind, but changed within the grace period: its persistence is likely on its way. */
  recent: number
  /**
   * PostgreSQL newer than Redis (Redis came back from an older snapshot): repaired like the others.
   * Redis is the primary, so the sync moves its version past PostgreSQL's with its content as it
   * is (persistence-worker, docs/persistence.md); counted and logged for an operator too.
   */
  ahead: number
  /** Some of those users (at most 20), for the log line. */
  aheadSample: string[]
  /** Keys whose value is not a valid cart: left alone, counted. */
  invalid: number
  repaired: number
  /** True when the sweep was stopped before the end (shutdown): the next one covers the rest. */
  stopped: boolean
  durationMs: number
}

const cartKeyPattern = new RegExp(`^cart:\\{(${ID_PATTERN.slice(1, -1)})\\}$`)

/** The user of a cart document key `cart:{<userId>}` (other keys of the cart's slot: undefined). */
export const userOfCartKey = (key: string) => cartKeyPattern.exec(key)?.[1]

/**
 * SPEC P6: compares every cart in Redis with its PostgreSQL copy, page by page (one SCAN page, one
 * pipelined read of the carts, two PostgreSQL queries), and enqueues a full-cart sync for each one
 * that differs. Nothing is written when nothing differs; the sweep is what makes "no lost change"
 * (P3) hold when every other path failed (a cart-api crash with commits in its spool, say).
 */
export async function reconcileCarts(deps: ReconcileDeps, settings: ReconcileSettings) {
  const started = deps.now()
  const stats: ReconcileStats = {
    checked: 0,
    inSync: 0,
    behind: 0,
    differing: 0,
    recent: 0,
    ahead: 0,
    aheadSample: [],
    invalid: 0,
    repaired: 0,
    stopped: false,
    durationMs: 0,
  }
  for await (const keys of scanKeys(deps.redis, 'cart:{*}', settings.batchSize)) {
    if (deps.signal?.aborted) {
      stats.stopped = true
      break
    }
    const userIds = keys.map(userOfCartKey).filter((userId) => userId !== undefined)
    const newest = await readNewestCarts(deps.redis, userIds)
    stats.invalid += newest.invalid.length
    const stored = await readStoredCarts(
      deps.db,
      newest.carts.map((cart) => cart.userId),
    )
    const repairs: string[] = []
    const now = deps.now()
    for (const cart of newest.carts) {
      stats.checked += 1
      const copy = stored.get(cart.userId)
      // A shopper's empty cart at version 0 was never changed: PostgreSQL has nothing to hold.
      if ((copy === undefined && cart.version === 0) || (copy && sameCart(copy, cartToRows(cart)))) {
        stats.inSync += 1
        continue
      }
      if (copy === undefined || copy.cart.version < cart.version) {
        if (cart.updatedAt !== null && now - cart.updatedAt < settings.graceMs) {
          stats.recent += 1
          continue
        }
        stats.behind += 1
      } else if (copy.cart.version > cart.version) {
        stats.ahead += 1
        if (stats.aheadSample.length < 20) stats.aheadSample.push(cart.userId)
      } else stats.differing += 1
      repairs.push(cart.userId)
    }
    if (repairs.length > 0) {
      await deps.enqueueSync(repairs)
      stats.repaired += repairs.length
    }
  }
  stats.durationMs = deps.now() - started
  return stats
}
