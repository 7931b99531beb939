import type { ErrorStatuses } from '@bookstore/service-kit'
import type { CartErrorCode } from './domain/cart-errors'

/** The HTTP status of each code cart-api's domain raises (the kit knows its own: STORE_UNAVAILABLE). */
export const cartErrorStatuses = {
  BOOK_NOT_FOUND: 404,
  CART_OUT_OF_STOCK: 409,
  CART_QUANTITY_LIMIT: 409,
  CART_ITEMS_LIMIT: 409,
  CART_ITEM_NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 422,
  CART_RATE_LIMITED: 429,
} as const satisfies ErrorStatuses<CartErrorCode>
