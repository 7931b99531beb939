import {
  bookCartsKey,
  type CartCommit,
  type CatalogCartOperation,
  type CatalogEvent,
  type CatalogEventType,
} from '@bookstore/events'
import { type PropagationInput, propagateToCarts, pruneBookCarts } from '@bookstore/lua'
import type { RedisClient } from '@bookstore/service-kit'

const operations: Record<CatalogEventType, CatalogCartOperation | undefined> = {
  'book.created': undefined,
  'book.updated': 'book-updated',
  'book.deleted': 'book-deleted',
  'book.stock-changed': 'book-stock-changed',
}

export interface SweepSettings {
  batchSize: number
  pruneAfterMs: number
  cartTtlSeconds: number
}

export interface SweepDeps {
  redis: RedisClient
  /** Enqueues persistence commits (SPEC P1) for carts this sweep changed. */
  persist: (commits: CartCommit[]) => Promise<void>
  settings: SweepSettings
  now?: () => number
}

export interface SweepStats {
  scanned: number
  committed: number
  unchanged: number
  absent: number
  pruned: number
}

/**
 * Brings every cart holding the event's book to the event's state (SPEC B3-B5): walks the book's
 * cart index page by page (ZSCAN returns every member present for the whole walk, whatever is
 * added or removed meanwhile), one pipeline of atomic per-cart scripts per page, and enqueues a
 * persistence commit for every cart it changed. `includeUnchanged` (a retried job) also enqueues
 * the carts already up to date: the try that changed them may have died before enqueuing.
 * Members seen without the book whose last add is old leave the index.
 */
export async function sweepBook(
  deps: SweepDeps,
  event: CatalogEvent,
  options: { includeUnchanged: boolean },
): Promise<SweepStats> {
  const stats: SweepStats = { scanned: 0, committed: 0, unchanged: 0, absent: 0, pruned: 0 }
  const op = operations[event.type]
  if (!op) return stats
  const now = deps.now ?? Date.now
  const { redis, settings } = deps
  const key = bookCartsKey(event.bookId)
  const input: PropagationInput = {
    bookId: event.bookId,
    op,
    state: event.after,
    bookVersion: event.bookVersion,
  }
  const startedAt = now()
  const prunable: string[] = []
  let cursor = '0'
  do {
    const [next, flat] = await redis.zscan(key, cursor, 'COUNT', settings.batchSize)
    cursor = next
    const userIds: string[] = []
    const scores: number[] = []
    for (let index = 0; index < flat.length; index += 2) {
      userIds.push(flat[index] as string)
      scores.push(Number(flat[index + 1]))
    }
    if (userIds.length === 0) continue
    const committedAt = now()
    const results = await propagateToCarts(redis, userIds, input, {
      now: committedAt,
      cartTtlSeconds: settings.cartTtlSeconds,
    })
    const commits: CartCommit[] = []
    results.forEach((result, index) => {
      const userId = userIds[index] as string
      stats.scanned++
      if (result.outcome === 'committed') {
        stats.committed++
        commits.push({ userId, version: result.version, committedAt })
      } else if (result.outcome === 'unchanged') {
        stats.unchanged++
        if (options.includeUnchanged && result.version > 0)
          commits.push({ userId, version: result.version, committedAt })
      } else {
        stats.absent++
        if ((scores[index] ?? 0) <= startedAt - settings.pruneAfterMs) prunable.push(userId)
      }
    })
    if (commits.length > 0) await deps.persist(commits)
  } while (cursor !== '0')

  for (let start = 0; start < prunable.length; start += 500) {
    const members = prunable.slice(start, start + 500)
    stats.pruned += await pruneBookCarts(redis, {
      bookId: event.bookId,
      maxScore: startedAt - settings.pruneAfterMs,
      userIds: members,
    })
  }
  return stats
}
