import {
  bookCartsKey,
  type CartCommit,
  type DurableCart,
  type HashStore,
  readBookReadModel,
} from '@bookstore/events'
import { hydrateCart, propagateToCart, type RedisClient } from '@bookstore/lua'

export interface RestoreDeps {
  redis: RedisClient & HashStore
  cartTtlSeconds: number
  now: () => number
}

export interface RestoreResult {
  /** The cart as Redis holds it now (restored, or found present). */
  cartJson: string
  version: number
  restored: boolean
  /**
   * Set when the restored state has a version PostgreSQL does not hold (the counter was ahead, or
   * the catalog refreshed a line): it must be persisted like any change.
   */
  commit?: CartCommit
}

/**
 * SPEC C5: writes a cart that is missing from Redis back from its durable copy (or the empty cart
 * of a shopper who has none), atomically and only if the key is still missing, with a version
 * that never goes back nor repeats. Used by cart-api on first touch and by the scheduler's daily
 * re-sync, so both restore by the same rules.
 */
export async function restoreCart(
  deps: RestoreDeps,
  userId: string,
  durable: DurableCart | undefined,
): Promise<RestoreResult> {
  // The book -> carts index may have been lost with the cart (a Redis restart): re-register the
  // restored lines first, so later catalog changes reach them (SPEC B3-B5).
  const restoredAt = deps.now()
  await Promise.all(
    (durable?.items ?? []).map((item) => deps.redis.zadd(bookCartsKey(item.bookId), restoredAt, userId)),
  )
  const result = await hydrateCart(deps.redis, userId, durable, deps.cartTtlSeconds)
  if (result.outcome !== 'restored')
    return { cartJson: result.cartJson, version: result.version, restored: false }
  const latest = (durable && (await refreshFromCatalog(deps, userId, durable))) ?? result
  const commit =
    latest.version > (durable?.version ?? 0)
      ? { userId, version: latest.version, committedAt: deps.now() }
      : undefined
  return { cartJson: latest.cartJson, version: latest.version, restored: true, ...(commit && { commit }) }
}

/**
 * A restored cart holds its lines as they were last persisted; catalog changes made while it was
 * only in PostgreSQL never reached it (propagation sweeps Redis). Each line is brought to the
 * book's current read model by the propagation script itself (same flags, notices and event as
 * a live change; a line already up to date stays as it is). The line's own book version is
 * passed, so a newer catalog event that reached the line meanwhile is never undone. A book
 * missing from the read model (being rebuilt after a Redis loss) is left for its next event.
 */
async function refreshFromCatalog(deps: RestoreDeps, userId: string, durable: DurableCart) {
  let latest: { cartJson: string; version: number } | undefined
  for (const item of durable.items) {
    const book = await readBookReadModel(deps.redis, item.bookId)
    if (!book) continue
    const result = await propagateToCart(
      deps.redis,
      userId,
      {
        bookId: book.bookId,
        op: book.status === 'active' ? 'book-updated' : 'book-deleted',
        state: book,
        bookVersion: item.bookVersion ?? 0,
      },
      { now: deps.now(), cartTtlSeconds: deps.cartTtlSeconds },
    )
    if (result.outcome === 'committed') latest = result
  }
  return latest
}
