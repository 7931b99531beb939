/**
 * The gateway's one route table (docs/gateway.md): every public path prefix, the app that owns it
 * and the app's own path it maps to. The convention is to strip `/api` and nothing else, so the
 * public path is the app's path under `/api`; only routes two apps share get a public path of their
 * own (the dead-letter queues of persistence-worker and mail-worker). Adding a route is one entry.
 */
export const upstreamNames = [
  'auth-api',
  'book-api',
  'cart-api',
  'order-api',
  'realtime-gateway',
  'persistence-worker',
  'mail-worker',
  'scheduler',
] as const
export type UpstreamName = (typeof upstreamNames)[number]

export interface PublicRoute {
  /** The public prefix: the route owns it and everything below it (`/api/cart`, `/api/cart/items`). */
  path: string
  upstream: UpstreamName
  /** The app's own path the prefix is rewritten to. */
  to: string
}

export const routeTable: readonly PublicRoute[] = [
  { path: '/api/auth', upstream: 'auth-api', to: '/auth' },
  { path: '/api/books', upstream: 'book-api', to: '/books' },
  { path: '/api/categories', upstream: 'book-api', to: '/categories' },
  { path: '/api/cart', upstream: 'cart-api', to: '/cart' },
  { path: '/api/checkout', upstream: 'order-api', to: '/checkout' },
  { path: '/api/orders', upstream: 'order-api', to: '/orders' },
  { path: '/api/admin/books', upstream: 'book-api', to: '/admin/books' },
  { path: '/api/admin/categories', upstream: 'book-api', to: '/admin/categories' },
  { path: '/api/admin/read-model', upstream: 'book-api', to: '/admin/read-model' },
  { path: '/api/admin/carts', upstream: 'cart-api', to: '/admin/carts' },
  { path: '/api/admin/orders', upstream: 'order-api', to: '/admin/orders' },
  { path: '/api/admin/schedules', upstream: 'scheduler', to: '/admin/schedules' },
  // Both workers serve /admin/dead-letters: each gets a public path naming its queue.
  { path: '/api/admin/dead-letters/persistence', upstream: 'persistence-worker', to: '/admin/dead-letters' },
  { path: '/api/admin/dead-letters/email', upstream: 'mail-worker', to: '/admin/dead-letters' },
]

/** The live cart's socket: tunnelled as it is (handshake, subprotocols, frames, close codes). */
export const websocketRoute: PublicRoute = { path: '/ws', upstream: 'realtime-gateway', to: '/ws' }

const isUnder = (path: string, prefix: string) =>
  path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)

/** The public path of an app's route, or undefined when the gateway does not expose it (/health, /metrics). */
export function publicPathOf(
  upstream: UpstreamName,
  appPath: string,
  table: readonly PublicRoute[] = [...routeTable, websocketRoute],
): string | undefined {
  // The longest match wins, so a more specific entry can take part of a broader one.
  const route = table
    .filter((entry) => entry.upstream === upstream && isUnder(appPath, entry.to))
    .sort((a, b) => b.to.length - a.to.length)[0]
  return route && `${route.path}${appPath.slice(route.to.length)}`
}

/** The upstreams the table names: their instances are what the gateway needs configured. */
export const routedUpstreams = (table: readonly PublicRoute[] = routeTable): UpstreamName[] => [
  ...new Set([...table, websocketRoute].map((entry) => entry.upstream)),
]
