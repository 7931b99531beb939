import { Cart } from '@bookstore/events'
import { apiPaths } from '../api/api-paths'
import { requestJson } from '../api/http'

/**
 * cart-api's routes (README, Cart API). Every change carries an Idempotency-Key, so a retry (after a
 * refreshed token, a lost answer) changes nothing twice (SPEC C4).
 */
export const cartApi = {
  get: (token: string, signal?: AbortSignal) =>
    requestJson(Cart, apiPaths.cart.cart, { token, ...(signal && { signal }) }),
  add: (token: string, key: string, bookId: string, quantity: number) =>
    requestJson(Cart, apiPaths.cart.items, {
      method: 'POST',
      token,
      headers: { 'idempotency-key': key },
      body: { bookId, quantity },
    }),
  setQuantity: (token: string, key: string, bookId: string, quantity: number) =>
    requestJson(Cart, apiPaths.cart.item(bookId), {
      method: 'PUT',
      token,
      headers: { 'idempotency-key': key },
      body: { quantity },
    }),
  remove: (token: string, key: string, bookId: string) =>
    requestJson(Cart, apiPaths.cart.item(bookId), {
      method: 'DELETE',
      token,
      headers: { 'idempotency-key': key },
    }),
  clear: (token: string, key: string) =>
    requestJson(Cart, apiPaths.cart.cart, { method: 'DELETE', token, headers: { 'idempotency-key': key } }),
}
