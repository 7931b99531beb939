import {
  Book,
  type Book as BookType,
  DeadLetterList,
  Order,
  OrderPage,
  type OrderStatus,
} from '@bookstore/events'
import { Type } from 'typebox'
import { apiPaths } from '../api/api-paths'
import { requestJson, requestNoContent } from '../api/http'

export type DeadLetterQueue = 'persistence' | 'email'

/** What the admin's book form sends: the book's own fields (book-api's create and update bodies). */
export type BookFields = Pick<BookType, 'title' | 'author' | 'description' | 'priceCents' | 'categories'> & {
  publishedOn: string | null
}

const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {})
const Replayed = Type.Object({ replayedAs: Type.String() })

/** The admin routes behind the gateway (docs/gateway.md): book-api, order-api, the two workers' DLQs. */
export const adminApi = {
  createBook: (token: string, fields: BookFields & { stock: number }) =>
    requestJson(Book, apiPaths.admin.books, { method: 'POST', token, body: fields }),
  updateBook: (token: string, bookId: string, fields: Partial<BookFields>) =>
    requestJson(Book, apiPaths.admin.book(bookId), { method: 'PATCH', token, body: fields }),
  setStock: (token: string, bookId: string, stock: number) =>
    requestJson(Book, apiPaths.admin.stock(bookId), { method: 'PUT', token, body: { stock } }),
  deleteBook: (token: string, bookId: string) =>
    requestNoContent(apiPaths.admin.book(bookId), { method: 'DELETE', token }),

  orders: (
    token: string,
    filter: { status?: OrderStatus | undefined; page: number },
    signal?: AbortSignal,
  ) => {
    const query = new URLSearchParams({ page: String(filter.page), pageSize: '20' })
    if (filter.status) query.set('status', filter.status)
    return requestJson(OrderPage, `${apiPaths.admin.orders}?${query}`, { token, ...withSignal(signal) })
  },
  /** A compare-and-set on the status the admin saw: refused (409) when the order moved on. */
  moveOrder: (token: string, orderId: string, to: 'shipped' | 'delivered' | 'cancelled', seen: OrderStatus) =>
    requestJson(Order, apiPaths.admin.orderStatus(orderId), {
      method: 'POST',
      token,
      body: { status: to, expectedStatus: seen },
    }),

  deadLetters: (token: string, queue: DeadLetterQueue, signal?: AbortSignal) =>
    requestJson(DeadLetterList, `${apiPaths.admin.deadLetters(queue)}?limit=100`, {
      token,
      ...withSignal(signal),
    }),
  replay: (token: string, queue: DeadLetterQueue, id: string) =>
    requestJson(Replayed, apiPaths.admin.replay(queue, id), { method: 'POST', token }),
  discard: (token: string, queue: DeadLetterQueue, id: string) =>
    requestNoContent(apiPaths.admin.deadLetter(queue, id), { method: 'DELETE', token }),

  /** Sets the admin tools' cookie from the bearer token (the gateway's POST /admin/session). */
  openTools: (token: string) => requestNoContent(apiPaths.admin.session, { method: 'POST', token }),
}
