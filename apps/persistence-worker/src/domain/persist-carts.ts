import { readNewestCarts } from '@bookstore/cart-store'
import type { Database } from '@bookstore/db'
import type { CartCommit } from '@bookstore/events'
import type { Cluster, Redis } from 'ioredis'
import { type ApplyMode, type ApplyResult, applyCarts } from './apply-carts'
import { isDatabaseUnavailable, rootMessage } from './pg-errors'

/** Some carts of a job could not be written; the others were. Names the ones that failed. */
export class CartsNotPersistedError extends Error {
  override name = 'CartsNotPersistedError'
  constructor(
    readonly userIds: string[],
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`carts not persisted (${userIds.join(', ')}): ${reason}`, options)
  }
}

export interface PersistDeps {
  redis: Redis | Cluster
  db: Database
  now?: () => number
}

export interface PersistOutcome extends ApplyResult {
  /** Users whose cart is gone from Redis (nothing written for them). */
  missing: string[]
}

/**
 * Writes the carts in one transaction; if that fails for a reason other than the database being
 * away, writes each cart in its own transaction, so that one bad cart does not hold back the
 * others of its job. Throws (after writing what it could) naming the carts that failed.
 */
async function applyIsolating(db: Database, carts: Parameters<typeof applyCarts>[1], mode: ApplyMode) {
  try {
    return await applyCarts(db, carts, mode)
  } catch (error) {
    if (isDatabaseUnavailable(error) || carts.length === 1) throw error
  }
  const total: ApplyResult = { written: [], itemUpserts: 0, itemDeletes: 0 }
  const failed: string[] = []
  let firstError: unknown
  for (const cart of carts) {
    try {
      const result = await applyCarts(db, [cart], mode)
      total.written.push(...result.written)
      total.itemUpserts += result.itemUpserts
      total.itemDeletes += result.itemDeletes
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error
      failed.push(cart.userId)
      firstError ??= error
    }
  }
  if (failed.length > 0)
    throw new CartsNotPersistedError(failed, rootMessage(firstError), {
      cause: firstError,
    })
  return total
}

/**
 * Persists the carts these users have NOW in Redis (SPEC P1, P2). A job carries no cart state, so
 * however many changes a cart had since its last write, one write brings PostgreSQL to the newest
 * state: bursts coalesce, late and duplicate jobs find nothing newer to write.
 */
export async function persistCarts(
  deps: PersistDeps,
  userIds: readonly string[],
  mode: ApplyMode,
): Promise<PersistOutcome> {
  const newest = await readNewestCarts(deps.redis, [...new Set(userIds)])
  const result = await applyIsolating(deps.db, newest.carts, mode)
  if (newest.invalid.length > 0)
    throw new CartsNotPersistedError(newest.invalid, 'the cart stored in Redis is not a valid cart')
  return { ...result, missing: newest.missing }
}

/** Persistence lag of each commit whose cart this write made durable: now minus its commit time. */
export function lagsOf(commits: readonly CartCommit[], written: readonly string[], now: number): number[] {
  const writtenSet = new Set(written)
  return commits.filter((commit) => writtenSet.has(commit.userId)).map((commit) => now - commit.committedAt)
}
