import { REALTIME_PATH } from '@bookstore/events'

/**
 * Every path the shop calls, as the gateway exposes them: `/api` followed by the app's own route
 * (the gateway strips `/api` and nothing else, docs/gateway.md). One table, so a change of the
 * gateway's layout is one edit.
 */
export const apiPaths = {
  auth: {
    register: '/api/auth/register',
    /** Cookie mode of auth-api: the refresh token lives in an httpOnly cookie scoped to these. */
    login: '/api/auth/session',
    refresh: '/api/auth/session/refresh',
    logout: '/api/auth/session/logout',
    me: '/api/auth/me',
  },
  books: {
    list: '/api/books',
    one: (bookId: string) => `/api/books/${encodeURIComponent(bookId)}`,
    categories: '/api/categories',
  },
  cart: {
    cart: '/api/cart',
    items: '/api/cart/items',
    item: (bookId: string) => `/api/cart/items/${encodeURIComponent(bookId)}`,
  },
  checkout: '/api/checkout',
  orders: {
    list: '/api/orders',
    one: (orderId: string) => `/api/orders/${encodeURIComponent(orderId)}`,
    cancel: (orderId: string) => `/api/orders/${encodeURIComponent(orderId)}/cancel`,
  },
  admin: {
    books: '/api/admin/books',
    book: (bookId: string) => `/api/admin/books/${encodeURIComponent(bookId)}`,
    stock: (bookId: string) => `/api/admin/books/${encodeURIComponent(bookId)}/stock`,
    orders: '/api/admin/orders',
    order: (orderId: string) => `/api/admin/orders/${encodeURIComponent(orderId)}`,
    orderStatus: (orderId: string) => `/api/admin/orders/${encodeURIComponent(orderId)}/status`,
    /** The two workers' parking lots, each under a public path naming its queue (docs/gateway.md). */
    deadLetters: (queue: 'persistence' | 'email') => `/api/admin/dead-letters/${queue}`,
    deadLetter: (queue: 'persistence' | 'email', id: string) =>
      `/api/admin/dead-letters/${queue}/${encodeURIComponent(id)}`,
    replay: (queue: 'persistence' | 'email', id: string) =>
      `/api/admin/dead-letters/${queue}/${encodeURIComponent(id)}/replay`,
    /** The gateway's own: an admin's bearer token becomes the admin tools' cookie. */
    session: '/admin/session',
  },
  /** The gateway's admin tools, opened in the browser once the admin session cookie is set. */
  tools: { swagger: '/api/docs', bullBoard: '/admin/queues' },
} as const

/** The live cart's socket on the page's own origin (ws: or wss: as the page). */
export function realtimeUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${REALTIME_PATH}`
}
