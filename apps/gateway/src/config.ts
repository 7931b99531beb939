import {
  authConfigProperties,
  baseConfigProperties,
  loadConfig,
  trustProxyProperty,
} from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'
import { type UpstreamName, upstreamNames } from './domain/route-table'

/** `http://a:3001,http://b:3001`: every instance of one upstream, balanced per request. */
const instanceList = Type.Optional(
  Type.String({ pattern: '^\\s*https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*\\s*$' }),
)

/** CART_API_URLS for cart-api: the variable listing an upstream's instances. */
export const upstreamEnvName = (name: UpstreamName) => `${name.toUpperCase().replaceAll('-', '_')}_URLS`

const upstreamProperties = Object.fromEntries(
  upstreamNames.map((name) => [upstreamEnvName(name), instanceList]),
) as Record<`${string}_URLS`, typeof instanceList>

export const GatewayConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  /** AUTH_API_URLS, BOOK_API_URLS, CART_API_URLS, ORDER_API_URLS, ...: unset, its routes answer 502. */
  ...upstreamProperties,
  /** The web shop's built files (apps/web/dist); unset: `/` serves nothing but the API. */
  WEB_ROOT: Type.Optional(Type.String({ minLength: 1 })),
  /** Where a browser without an admin session is sent to log in (`?next=` the page it asked for). */
  LOGIN_PATH: Type.String({ pattern: '^/[^?#\\s]*$', default: '/login' }),
  /** Other origins allowed to call the API from a browser (CORS), comma-separated; the shop's own needs none. */
  CORS_ORIGINS: Type.String({ default: '' }),
  /**
   * Comma-separated addresses or CIDRs of the proxies in front (a TLS terminator, a load balancer):
   * their X-Forwarded-For is believed. Unset or `false`: the gateway is the edge and the peer is the client.
   */
  TRUST_PROXY: trustProxyProperty,
  /** The largest request body the gateway forwards; larger ones get 413 without reaching an app. */
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
  /** An upstream that has not answered within this gets the request a 504 UPSTREAM_TIMEOUT. */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 300_000, default: 10_000 }),
  /** How long a connection to an upstream may take before the instance counts as down. */
  UPSTREAM_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 2000 }),
  /** How often every instance's /health/ready is asked (an instance that fails is skipped until it answers). */
  UPSTREAM_PROBE_INTERVAL_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000 }),
  /** Kept-alive connections to each upstream instance. */
  UPSTREAM_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 4096, default: 128 }),
  /** One window for both limits; counters in Redis, shared by every gateway instance. */
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000 }),
  /** API requests per client address per window. */
  RATE_LIMIT_PER_IP: Type.Integer({ minimum: 1, default: 1200 }),
  /** API requests per user (the access token's subject) per window. */
  RATE_LIMIT_PER_USER: Type.Integer({ minimum: 1, default: 600 }),
  /**
   * Share of a key's remaining allowance an instance may count in memory before it asks Redis;
   * 0: every request asks. Between flushes the shared count can overshoot by what other instances
   * hold (docs/gateway.md).
   */
  RATE_LIMIT_LOCAL_SHARE: Type.Number({ minimum: 0, maximum: 1, default: 0.1 }),
  /** How often the counts kept in memory are added to the shared counters. */
  RATE_LIMIT_FLUSH_MS: Type.Integer({ minimum: 10, maximum: 10_000, default: 100 }),
  /** The admin-tools cookie lives at most this long (and never past the token it was made from). */
  ADMIN_SESSION_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 24 * 3600, default: 900 }),
  /** `auto`: the admin cookie is Secure when the request came over https; `always` behind a proxy that does not say. */
  ADMIN_COOKIE_SECURE: Type.Union([Type.Literal('auto'), Type.Literal('always')], { default: 'auto' }),
  /** How long the merged OpenAPI document is kept before it is fetched from the apps again. */
  OPENAPI_CACHE_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 30_000 }),
  /** BullMQ key prefix of the queues Bull Board shows. */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
})
export type GatewayConfig = Static<typeof GatewayConfig>

export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(GatewayConfig, env)

const list = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((item) => item.trim().replace(/\/+$/, ''))
    .filter(Boolean)

/** Each upstream's instance URLs from its `<NAME>_URLS` (empty: not configured). */
export function upstreamUrls(config: GatewayConfig): Record<UpstreamName, string[]> {
  const settings = config as Record<string, unknown>
  return Object.fromEntries(
    upstreamNames.map((name) => {
      const value = settings[upstreamEnvName(name)]
      return [name, list(typeof value === 'string' ? value : undefined)]
    }),
  ) as Record<UpstreamName, string[]>
}

export const corsOrigins = (config: GatewayConfig) => list(config.CORS_ORIGINS)
