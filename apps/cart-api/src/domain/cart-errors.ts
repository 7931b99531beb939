import type { CartRejection } from '@bookstore/lua'
import { type AppError, conflict, notFound, unprocessable } from '@bookstore/service-kit'

/** Turns a cart script's refusal into the API's typed error with a stable code. */
export function cartRejectionError(reason: CartRejection, detail: string, bookId?: string): AppError {
  switch (reason) {
    case 'BOOK_NOT_FOUND':
      return notFound('BOOK_NOT_FOUND', 'This book does not exist or is no longer sold', { bookId })
    case 'OUT_OF_STOCK':
      return conflict('CART_OUT_OF_STOCK', 'Not enough copies in stock', {
        bookId,
        available: Number(detail),
      })
    case 'QUANTITY_LIMIT':
      return conflict('CART_QUANTITY_LIMIT', 'Too many copies of one book', { bookId, max: Number(detail) })
    case 'ITEMS_LIMIT':
      return conflict('CART_ITEMS_LIMIT', 'The cart holds the most books it can', { max: Number(detail) })
    case 'ITEM_NOT_IN_CART':
      return notFound('CART_ITEM_NOT_FOUND', 'This book is not in the cart', { bookId })
    case 'IDEMPOTENCY_KEY_REUSED':
      return unprocessable(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used for a different request',
      )
  }
}
