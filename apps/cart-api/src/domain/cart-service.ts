import { restoreCart } from '@bookstore/cart-store'
import {
  type BookReadModel,
  bookCartsKey,
  type Cart,
  type CartCommit,
  cartKeys,
  type HashStore,
} from '@bookstore/events'
import { type CartMutationContext, type RedisClient, runCartMutation } from '@bookstore/lua'
import type { BookLookup } from './book-lookup'
import { cartRejectionError } from './cart-errors'
import type { DurableCartReader } from './durable-carts'

export interface CartSettings {
  cartTtlSeconds: number
  idempotencyTtlSeconds: number
  /** Idempotency-Key answers a cart keeps at most. */
  answersKept: number
  /** One shopper's mutations per window, shared by every instance (mutations 0: no limit). */
  rateLimit: { mutations: number; windowMs: number }
  maxQuantityPerItem: number
  maxDistinctItems: number
}

export interface CartServiceDeps {
  redis: RedisClient & HashStore
  findBook: BookLookup
  enqueuePersistence: (commit: CartCommit) => Promise<void>
  readDurableCart: DurableCartReader
  settings: CartSettings
  now?: () => number
}

/** The answer of a mutation: the cart as JSON text, straight from the script (no re-encoding). */
export interface MutationResult {
  cartJson: string
  replayed: boolean
}

export type CartMutation =
  | { op: 'add-item'; bookId: string; quantity: number }
  | { op: 'set-quantity'; bookId: string; quantity: number }
  | { op: 'remove-item'; bookId: string }
  | { op: 'clear' }

/** What the same Idempotency-Key must always carry: the same operation with the same input. */
const fingerprintOf = (mutation: CartMutation) =>
  [
    mutation.op,
    'bookId' in mutation ? mutation.bookId : '',
    'quantity' in mutation ? mutation.quantity : '',
  ].join('|')

/**
 * The cart use cases (SPEC C1-C5). Every mutation is one script call that validates, changes,
 * versions, publishes and remembers its answer atomically; the persistence job follows it.
 */
export function createCartService(deps: CartServiceDeps) {
  const now = deps.now ?? Date.now
  const { settings } = deps

  /**
   * SPEC C5: the cart key is missing. Restores the durable copy from PostgreSQL (or starts the empty
   * cart of a shopper who has none) atomically; a restored state with a version of its own (the
   * counter was ahead of PostgreSQL, or the catalog refreshed a line) is persisted like a change.
   */
  async function hydrate(userId: string): Promise<string> {
    const durable = await deps.readDurableCart(userId)
    const restore = { redis: deps.redis, cartTtlSeconds: settings.cartTtlSeconds, now }
    const result = await restoreCart(restore, userId, durable)
    if (result.commit) await deps.enqueuePersistence(result.commit)
    return result.cartJson
  }

  return {
    async getCart(userId: string): Promise<Cart> {
      const cartJson = (await deps.redis.get(cartKeys(userId).cart)) ?? (await hydrate(userId))
      return JSON.parse(cartJson) as Cart
    },

    async mutate(userId: string, mutation: CartMutation, idempotencyKey?: string): Promise<MutationResult> {
      // A missing cart is restored, then the mutation runs again (a second miss: it expired between).
      for (let attempt = 1; ; attempt += 1) {
        const result = await commitMutation(userId, mutation, idempotencyKey)
        if (result) return result
        if (attempt === 3) throw new Error(`the cart of ${userId} is still missing after hydration`)
        await hydrate(userId)
      }
    },
  }

  /** One mutation script call; undefined when the cart must be hydrated first. */
  async function commitMutation(
    userId: string,
    mutation: CartMutation,
    idempotencyKey: string | undefined,
  ): Promise<MutationResult | undefined> {
    const committedAt = now()
    // The book is read before anything is written: an add of a book that does not exist leaves no
    // key behind (the script refuses it), so a loop of random ids cannot grow Redis.
    const book =
      mutation.op === 'add-item' || mutation.op === 'set-quantity'
        ? await deps.findBook(mutation.bookId)
        : undefined
    // Catalog propagation finds carts through this index (SPEC B3-B5). The ZADD of an existing book
    // is sent before the script and awaited with it (one round trip less per add): on one
    // connection Redis applies it first; on a Cluster it lands within milliseconds of the script,
    // long before the second sweep that covers late adds (docs/catalog.md).
    const indexed =
      mutation.op === 'add-item' && book
        ? deps.redis.zadd(bookCartsKey(mutation.bookId), committedAt, userId)
        : undefined
    const [, result] = await Promise.all([
      indexed,
      runMutationScript(userId, mutation, idempotencyKey, committedAt, book),
    ])
    if (result.outcome === 'needs-hydration') return undefined
    if (result.outcome === 'rejected') {
      throw cartRejectionError(
        result.reason,
        result.detail,
        'bookId' in mutation ? mutation.bookId : undefined,
      )
    }
    if (result.outcome === 'committed') {
      await deps.enqueuePersistence({ userId, version: result.version, committedAt })
    }
    return { cartJson: result.cartJson, replayed: result.outcome === 'replayed' }
  }

  async function runMutationScript(
    userId: string,
    mutation: CartMutation,
    idempotencyKey: string | undefined,
    committedAt: number,
    book: BookReadModel | undefined,
  ) {
    const context: CartMutationContext = {
      userId,
      now: committedAt,
      cartTtlSeconds: settings.cartTtlSeconds,
      idempotencyTtlSeconds: settings.idempotencyTtlSeconds,
      answersKept: settings.answersKept,
      rateLimit: settings.rateLimit.mutations > 0 ? settings.rateLimit : undefined,
      idempotency: idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprintOf(mutation) } : undefined,
    }
    switch (mutation.op) {
      case 'add-item':
      case 'set-quantity': {
        const { op, bookId, quantity } = mutation
        const { maxQuantityPerItem, maxDistinctItems } = settings
        return runCartMutation(deps.redis, op, context, {
          bookId,
          quantity,
          book,
          maxQuantityPerItem,
          maxDistinctItems,
        })
      }
      case 'remove-item':
        return runCartMutation(deps.redis, 'remove-item', context, { bookId: mutation.bookId })
      case 'clear':
        return runCartMutation(deps.redis, 'clear', context, {})
    }
  }
}
export type CartService = ReturnType<typeof createCartService>
