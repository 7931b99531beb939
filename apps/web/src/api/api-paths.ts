import { REALTIME_PATH } from '@bookstore/events'

/**
 * Every path the shop calls, as the gateway exposes them: `/api/<service>` followed by the app's own
 * route (the gateway strips the prefix). One table, so a change of the gateway's layout is one edit.
 */
export const apiPaths = {
  auth: {
    register: '/api/auth/auth/register',
    /** Cookie mode of auth-api: the refresh token lives in an httpOnly cookie scoped to these. */
    login: '/api/auth/auth/session',
    refresh: '/api/auth/auth/session/refresh',
    logout: '/api/auth/auth/session/logout',
    me: '/api/auth/auth/me',
  },
  books: {
    list: '/api/books/books',
    one: (bookId: string) => `/api/books/books/${encodeURIComponent(bookId)}`,
    categories: '/api/books/categories',
  },
  cart: {
    cart: '/api/cart/cart',
    items: '/api/cart/cart/items',
    item: (bookId: string) => `/api/cart/cart/items/${encodeURIComponent(bookId)}`,
  },
} as const

/** The live cart's socket on the page's own origin (ws: or wss: as the page). */
export function realtimeUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${REALTIME_PATH}`
}
