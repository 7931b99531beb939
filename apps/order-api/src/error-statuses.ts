import type { ErrorStatuses } from '@bookstore/service-kit'
import type { OrderErrorCode } from './domain/order-errors'

/** The HTTP status of each code order-api's domain raises. */
export const orderErrorStatuses = {
  CART_CHANGED: 409,
  CART_EMPTY: 409,
  CHECKOUT_PRICE_CHANGED: 409,
  CHECKOUT_LINE_UNAVAILABLE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  ORDER_NOT_FOUND: 404,
  ORDER_TRANSITION_INVALID: 409,
  ORDER_STATE_CHANGED: 409,
} as const satisfies ErrorStatuses<OrderErrorCode>
