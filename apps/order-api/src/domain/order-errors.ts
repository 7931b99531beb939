import { errorsOf } from '@bookstore/service-kit/domain-error'

/** Every code order-api's domain refuses with; the statuses are declared at the edge (error-statuses.ts). */
export type OrderErrorCode =
  | 'CART_CHANGED'
  | 'CART_EMPTY'
  | 'CHECKOUT_PRICE_CHANGED'
  | 'CHECKOUT_LINE_UNAVAILABLE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'ORDER_NOT_FOUND'
  | 'ORDER_TRANSITION_INVALID'
  | 'ORDER_STATE_CHANGED'

export const orderError = errorsOf<OrderErrorCode>()

/** Not the shopper's own is answered as not found: whether another shopper's order exists stays unknown. */
export const orderNotFound = (orderId: string) =>
  orderError('ORDER_NOT_FOUND', `There is no order ${orderId}`, { orderId })
