import type { ProxyOptions } from 'vite'

/**
 * Until the gateway serves the shop, Vite's dev and preview servers stand in for it: the same
 * paths the gateway exposes (`/api/<service>/...` with `/api/<service>` stripped, `/ws`), proxied
 * to each app's own port, so nothing in the shop changes when the gateway arrives. The defaults are
 * the local stack's ports; WEB_<APP>_URL points one elsewhere (the e2e run uses private ports).
 */
export const upstreams = [
  { prefix: '/api/auth', env: 'WEB_AUTH_API_URL', fallback: 'http://127.0.0.1:3003' },
  { prefix: '/api/books', env: 'WEB_BOOK_API_URL', fallback: 'http://127.0.0.1:3007' },
  { prefix: '/api/cart', env: 'WEB_CART_API_URL', fallback: 'http://127.0.0.1:3001' },
  { prefix: '/api/orders', env: 'WEB_ORDER_API_URL', fallback: 'http://127.0.0.1:3011' },
] as const
const realtime = { env: 'WEB_REALTIME_URL', fallback: 'http://127.0.0.1:3002' } as const

export function devProxy(env: Record<string, string | undefined>): Record<string, ProxyOptions> {
  const table: Record<string, ProxyOptions> = {}
  for (const upstream of upstreams) {
    const prefix = new RegExp(`^${upstream.prefix}(?=/|$)`)
    // A regex key (leading ^): `/api/authors` must not reach auth-api.
    table[`^${upstream.prefix}(/|$)`] = {
      target: env[upstream.env] || upstream.fallback,
      // x-forwarded-for, as the gateway sets it (auth-api believes it only with TRUST_PROXY).
      xfwd: true,
      rewrite: (path) => path.replace(prefix, '') || '/',
    }
  }
  // The Origin header passes unchanged: realtime-gateway checks it against ALLOWED_ORIGINS.
  table['^/ws$'] = { target: env[realtime.env] || realtime.fallback, ws: true, xfwd: true }
  return table
}
