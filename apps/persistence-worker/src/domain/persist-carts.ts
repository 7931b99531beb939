import { readNewestCarts } from '@bookstore/cart-store'
import type { Database } from '@bookstore/db'
import type { Cart, CartCommit } from '@bookstore/events'
import { advanceCartVersion } from '@bookstore/lua'
import type { Cluster, Redis } from 'ioredis'
import { type ApplyMode, type ApplyResult, applyCarts } from './apply-carts'
import { isDatabaseUnavailable, rootMessage } from './pg-errors'

/**
 * Versions left unused when a cart behind its PostgreSQL copy is moved past it: those handed out
 * after the snapshot Redis came back from and lost with it (never persisted) must not name another
 * cart state for a client that saw them. A thousand is far more changes than one cart makes
 * within the persistence lag.
 */
export const LOST_VERSIONS_SKIPPED = 1000

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
  /**
   * How a cart found behind its PostgreSQL copy (Redis restored from an older snapshot) gets a
   * version past it (cart-advance-version.lua); without it such a cart is only reported.
   */
  advance?: { skip: number; cartTtlSeconds: number }
  now?: () => number
}

export interface PersistOutcome extends ApplyResult {
  /** Users whose cart is gone from Redis (nothing written for them). */
  missing: string[]
  /** Carts that could not be written, each with why (every other cart was written or needed no write). */
  failed: Map<string, Error>
  /** Carts that were behind PostgreSQL in Redis and were moved past it (then written). */
  advanced: string[]
}

const emptyResult = (): ApplyResult => ({ written: [], itemUpserts: 0, itemDeletes: 0 })

function addResult(total: ApplyResult, result: ApplyResult): void {
  total.written.push(...result.written)
  total.itemUpserts += result.itemUpserts
  total.itemDeletes += result.itemDeletes
  if (result.ahead) total.ahead = [...(total.ahead ?? []), ...result.ahead]
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)))

/**
 * Writes the carts in one transaction; if that fails for a reason other than the database being
 * away, writes each half in its own transaction, and so on down to single carts, so that one bad
 * cart among a thousand costs about twenty transactions, not a thousand, and holds back no other.
 * Throws only when the database is away (nothing of this call is then known to be written).
 */
async function applyIsolating(
  db: Database,
  carts: readonly Cart[],
  mode: ApplyMode,
  total: ApplyResult,
  failed: Map<string, Error>,
): Promise<void> {
  try {
    addResult(total, await applyCarts(db, carts, mode))
    return
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error
    if (carts.length === 1) {
      failed.set((carts[0] as Cart).userId, asError(error))
      return
    }
  }
  const middle = Math.ceil(carts.length / 2)
  await applyIsolating(db, carts.slice(0, middle), mode, total, failed)
  await applyIsolating(db, carts.slice(middle), mode, total, failed)
}

/**
 * Persists the carts these users have NOW in Redis (SPEC P1, P2). A job carries no cart state, so
 * however many changes a cart had since its last write, one write brings PostgreSQL to the newest
 * state: bursts coalesce, late and duplicate jobs find nothing newer to write. Throws only when
 * PostgreSQL is away; carts that could not be written are in `failed`, the others are written.
 */
export async function persistCarts(
  deps: PersistDeps,
  userIds: readonly string[],
  mode: ApplyMode,
): Promise<PersistOutcome> {
  const newest = await readNewestCarts(deps.redis, [...new Set(userIds)])
  const result = emptyResult()
  const failed = new Map<string, Error>()
  if (newest.carts.length > 0) await applyIsolating(deps.db, newest.carts, mode, result, failed)
  for (const userId of newest.invalid)
    failed.set(userId, new Error('the cart stored in Redis is not a valid cart'))
  const outcome: PersistOutcome = { ...result, missing: newest.missing, failed, advanced: [] }
  return deps.advance && result.ahead ? advancePastPostgres(deps, deps.advance, outcome, mode) : outcome
}

/**
 * Redis is the primary: a cart it holds at an older version than PostgreSQL (Redis came back from
 * an older snapshot) keeps its content and commits again past PostgreSQL's version (published, so
 * live clients take it), then is written like any change. Done once per call: a cart still
 * behind after that is reported in `ahead`.
 */
async function advancePastPostgres(
  deps: PersistDeps,
  advance: NonNullable<PersistDeps['advance']>,
  outcome: PersistOutcome,
  mode: ApplyMode,
): Promise<PersistOutcome> {
  const now = (deps.now ?? Date.now)()
  const behind = outcome.ahead ?? []
  const results = await Promise.all(
    behind.map(({ userId, storedVersion }) =>
      advanceCartVersion(deps.redis, { userId, durableVersion: storedVersion, now, ...advance }),
    ),
  )
  // 'unchanged': Redis was not behind after all, it had moved on since this job read it and a
  // concurrent job persisted the newer state first. Only the carts moved are reported.
  const advanced = behind
    .filter((_, index) => results[index]?.outcome === 'advanced')
    .map((entry) => entry.userId)
  const again = await persistCarts(
    { ...deps, advance: undefined },
    behind.map((entry) => entry.userId),
    mode,
  )
  const { ahead: _advanced, ...before } = outcome
  const merged: PersistOutcome = { ...before, advanced }
  addResult(merged, again)
  merged.missing.push(...again.missing)
  for (const [userId, error] of again.failed) merged.failed.set(userId, error)
  return merged
}

/** Throws CartsNotPersistedError naming the carts of `userIds` that failed, if any did. */
export function throwIfNotPersisted(outcome: PersistOutcome, userIds: readonly string[]): void {
  const failed = userIds.filter((userId) => outcome.failed.has(userId))
  if (failed.length === 0) return
  const first = outcome.failed.get(failed[0] as string)
  throw new CartsNotPersistedError(failed, rootMessage(first), { cause: first })
}

/** Persistence lag of each commit whose cart this write made durable: now minus its commit time. */
export function lagsOf(commits: readonly CartCommit[], written: readonly string[], now: number): number[] {
  const writtenSet = new Set(written)
  return commits.filter((commit) => writtenSet.has(commit.userId)).map((commit) => now - commit.committedAt)
}
