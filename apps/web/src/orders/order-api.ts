import { Order, OrderPage } from '@bookstore/events'
import { apiPaths } from '../api/api-paths'
import { requestJson } from '../api/http'

const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {})

/** order-api's shopper routes (docs/orders.md): checkout, my orders, cancel. */
export const orderApi = {
  /**
   * The cart at `cartVersion` becomes a pending order (202), or the same key's order as it is now
   * (200): a retry with the same key never makes a second order.
   */
  checkout: (token: string, idempotencyKey: string, cartVersion: number) =>
    requestJson(Order, apiPaths.checkout, {
      method: 'POST',
      token,
      headers: { 'idempotency-key': idempotencyKey },
      body: { cartVersion },
    }),
  list: (token: string, page: number, signal?: AbortSignal) =>
    requestJson(OrderPage, `${apiPaths.orders.list}?page=${page}&pageSize=20`, {
      token,
      ...withSignal(signal),
    }),
  get: (token: string, orderId: string, signal?: AbortSignal) =>
    requestJson(Order, apiPaths.orders.one(orderId), { token, ...withSignal(signal) }),
  /** Compare-and-set on the status the shopper saw: refused when the order moved on meanwhile. */
  cancel: (token: string, orderId: string, expectedStatus: Order['status']) =>
    requestJson(Order, `${apiPaths.orders.cancel(orderId)}?expectedStatus=${expectedStatus}`, {
      method: 'POST',
      token,
    }),
}
