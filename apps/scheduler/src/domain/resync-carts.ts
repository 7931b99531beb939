import { setTimeout as sleep } from 'node:timers/promises'
import { readDurableCarts, restoreCart } from '@bookstore/cart-store'
import { carts, type Database } from '@bookstore/db'
import { type CartCommit, cartKeys, type HashStore } from '@bookstore/events'
import type { RedisClient } from '@bookstore/lua'
import { and, asc, gt } from 'drizzle-orm'

export interface ResyncDeps {
  redis: RedisClient & HashStore
  db: Database
  /** Persists restored states that got a version of their own (as cart-api does after hydration). */
  persist: (commits: CartCommit[]) => Promise<void>
  now: () => number
  /** Aborted (the process is shutting down): the re-sync stops after the page in hand. */
  signal?: AbortSignal
}

export interface ResyncSettings {
  batchSize: number
  /** Pause between pages, so a big re-sync never starves live traffic. */
  pauseMs: number
  /** cart-api's cart expiry: a cart idle longer than this is gone from Redis on purpose. */
  cartTtlSeconds: number
}

export interface ResyncStats {
  /** Carts with items PostgreSQL holds that should still be in Redis. */
  checked: number
  /** Of those, found missing in Redis and written back. */
  restored: number
  /** True when it was stopped before the end (shutdown): the next run covers the rest. */
  stopped: boolean
  durationMs: number
}

/**
 * SPEC P6, the daily re-sync: every cart with items that PostgreSQL holds and Redis should still
 * hold (changed within the cart expiry) but lost (a Redis restart without persistence, a failover
 * that dropped writes) is written back by the rules of hydration (C5): only if the key is still
 * missing, with a version that never goes back, its lines re-indexed for catalog propagation and
 * refreshed from the catalog. It expires when it would have. Pages in user-id order, with a pause
 * between pages; a cart restored concurrently by the shopper's first touch is simply found present.
 */
export async function resyncCarts(deps: ResyncDeps, settings: ResyncSettings) {
  const started = deps.now()
  const ttlMs = settings.cartTtlSeconds * 1000
  const stats: ResyncStats = { checked: 0, restored: 0, stopped: false, durationMs: 0 }
  let after = ''
  for (;;) {
    if (deps.signal?.aborted) {
      stats.stopped = true
      break
    }
    const page = await deps.db
      .select({ userId: carts.userId, updatedAt: carts.updatedAt })
      .from(carts)
      .where(
        and(gt(carts.userId, after), gt(carts.itemCount, 0), gt(carts.updatedAt, new Date(started - ttlMs))),
      )
      .orderBy(asc(carts.userId))
      .limit(settings.batchSize)
    if (page.length === 0) break
    after = page[page.length - 1]?.userId ?? after
    stats.checked += page.length

    const present = await Promise.all(page.map((row) => deps.redis.exists(cartKeys(row.userId).cart)))
    const missing = page.filter((_, index) => present[index] === 0)
    if (missing.length > 0) {
      const durable = await readDurableCarts(
        deps.db,
        missing.map((row) => row.userId),
      )
      const commits: CartCommit[] = []
      for (const row of missing) {
        const copy = durable.get(row.userId)
        if (!copy || copy.items.length === 0) continue
        const idleMs = deps.now() - (row.updatedAt?.getTime() ?? started)
        const remainingSeconds = Math.max(60, Math.ceil((ttlMs - idleMs) / 1000))
        const result = await restoreCart(
          { redis: deps.redis, cartTtlSeconds: remainingSeconds, now: deps.now },
          row.userId,
          copy,
        )
        if (result.restored) stats.restored += 1
        if (result.commit) commits.push(result.commit)
      }
      if (commits.length > 0) await deps.persist(commits)
    }
    if (page.length < settings.batchSize) break
    await sleep(settings.pauseMs)
  }
  stats.durationMs = deps.now() - started
  return stats
}
