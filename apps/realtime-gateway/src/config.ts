import { authConfigProperties, baseConfigProperties, loadConfig } from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

export const RealtimeGatewayConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3002 }),
  /**
   * Browser origins allowed to open a socket, comma-separated (e.g. `https://shop.example`). A
   * request without an Origin header (not a browser: wscat, a server) is not checked.
   */
  ALLOWED_ORIGINS: Type.String({ default: '' }),
  /** Sockets one user may hold on one gateway instance (tabs and devices). */
  MAX_SOCKETS_PER_USER: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
  /** Hellos (and resyncs) one socket is answered per minute; each costs a Redis read (docs/limits.md). */
  MAX_HELLOS_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 10_000, default: 30 }),
  /** Bytes a socket may have waiting unsent; past this it is closed with 4008 (slow consumer). */
  MAX_BUFFERED_BYTES: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  /** How often every socket is pinged; a socket that did not answer the previous ping is dropped. */
  HEARTBEAT_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  /**
   * PostgreSQL, read only when a socket asks for a cart Redis does not hold (SPEC C5): it is restored
   * from its durable copy, as cart-api restores it, instead of being shown empty. Unset: shown empty.
   */
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 50, default: 2 }),
  /** Prefix of BullMQ keys: a restored cart with a version of its own is persisted like a change. */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
  /** The expiry a restored cart gets (cart-api's CART_TTL_SECONDS). */
  CART_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 24 * 3600 }),
  /** How long shutdown waits for sockets to answer the 1001 close before cutting them. */
  SHUTDOWN_CLOSE_TIMEOUT_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 2000 }),
})
export type RealtimeGatewayConfig = Static<typeof RealtimeGatewayConfig>

export const loadRealtimeGatewayConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(RealtimeGatewayConfig, env)

/** ALLOWED_ORIGINS as a set of exact origins (scheme://host[:port], no trailing slash). */
export const allowedOrigins = (config: RealtimeGatewayConfig): Set<string> =>
  new Set(
    config.ALLOWED_ORIGINS.split(',')
      .map((origin) => origin.trim().replace(/\/+$/, ''))
      .filter(Boolean),
  )
