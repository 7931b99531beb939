import type { CartRejection } from '@bookstore/lua'
import { type DomainError, errorsOf } from '@bookstore/service-kit/domain-error'

/** Every code cart-api's domain refuses with; the statuses are declared at the edge (error-statuses.ts). */
export type CartErrorCode =
  | 'BOOK_NOT_FOUND'
  | 'CART_OUT_OF_STOCK'
  | 'CART_QUANTITY_LIMIT'
  | 'CART_ITEMS_LIMIT'
  | 'CART_ITEM_NOT_FOUND'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'CART_RATE_LIMITED'
  | 'STORE_UNAVAILABLE'

export const cartError = errorsOf<CartErrorCode>()

/** Turns a cart script's refusal into the domain's typed error with a stable code. */
export function cartRejectionError(
  reason: CartRejection,
  detail: string,
  bookId?: string,
): DomainError<CartErrorCode> {
  switch (reason) {
    case 'BOOK_NOT_FOUND':
      return cartError('BOOK_NOT_FOUND', 'This book does not exist or is no longer sold', { bookId })
    case 'OUT_OF_STOCK':
      return cartError('CART_OUT_OF_STOCK', 'Not enough copies in stock', {
        bookId,
        available: Number(detail),
      })
    case 'QUANTITY_LIMIT':
      return cartError('CART_QUANTITY_LIMIT', 'Too many copies of one book', { bookId, max: Number(detail) })
    case 'ITEMS_LIMIT':
      return cartError('CART_ITEMS_LIMIT', 'The cart holds the most books it can', { max: Number(detail) })
    case 'ITEM_NOT_IN_CART':
      return cartError('CART_ITEM_NOT_FOUND', 'This book is not in the cart', { bookId })
    case 'IDEMPOTENCY_KEY_REUSED':
      return cartError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used for a different request',
      )
    case 'RATE_LIMITED': {
      const retryAfterSeconds = Math.max(1, Math.ceil(Number(detail) / 1000))
      return cartError('CART_RATE_LIMITED', `Too many cart changes; retry in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      })
    }
  }
}
