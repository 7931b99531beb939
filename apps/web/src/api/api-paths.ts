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
} as const

/** The live cart's socket on the page's own origin (ws: or wss: as the page). */
export function realtimeUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${REALTIME_PATH}`
}
