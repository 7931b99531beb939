import { type Cart, type CartCommit, type CartOperation, cartKeys, emptyCart } from '@bookstore/events'
import { type RedisClient, runCartMutation, type ScriptArg } from '@bookstore/lua'
import type { BookLookup } from './book-lookup'
import { cartRejectionError } from './cart-errors'

export interface CartSettings {
  cartTtlSeconds: number
  idempotencyTtlSeconds: number
  maxQuantityPerItem: number
  maxDistinctItems: number
}

export interface CartServiceDeps {
  redis: RedisClient
  findBook: BookLookup
  enqueuePersistence: (commit: CartCommit) => Promise<void>
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

  async function scriptArgs(mutation: CartMutation): Promise<ScriptArg[]> {
    switch (mutation.op) {
      case 'add-item': {
        const book = await deps.findBook(mutation.bookId)
        return [
          mutation.bookId,
          mutation.quantity,
          book?.status ?? 'missing',
          book?.title ?? '',
          book?.priceCents ?? 0,
          book?.stock ?? 0,
          settings.maxQuantityPerItem,
          settings.maxDistinctItems,
        ]
      }
      case 'set-quantity': {
        const book = await deps.findBook(mutation.bookId)
        return [
          mutation.bookId,
          mutation.quantity,
          book?.status ?? 'missing',
          book?.stock ?? 0,
          settings.maxQuantityPerItem,
        ]
      }
      case 'remove-item':
        return [mutation.bookId]
      case 'clear':
        return []
    }
  }

  return {
    async getCart(userId: string): Promise<Cart> {
      const keys = cartKeys(userId)
      const [cartJson, version] = await deps.redis.mget(keys.cart, keys.version)
      if (cartJson) return JSON.parse(cartJson) as Cart
      return emptyCart(userId, Number(version ?? 0))
    },

    async mutate(userId: string, mutation: CartMutation, idempotencyKey?: string): Promise<MutationResult> {
      const committedAt = now()
      const result = await runCartMutation(
        deps.redis,
        mutation.op satisfies CartOperation,
        {
          userId,
          now: committedAt,
          cartTtlSeconds: settings.cartTtlSeconds,
          idempotencyTtlSeconds: settings.idempotencyTtlSeconds,
          idempotency: idempotencyKey
            ? { key: idempotencyKey, fingerprint: fingerprintOf(mutation) }
            : undefined,
        },
        await scriptArgs(mutation),
      )
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
    },
  }
}
export type CartService = ReturnType<typeof createCartService>
