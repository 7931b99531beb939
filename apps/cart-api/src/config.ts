import {
  authConfigProperties,
  baseConfigProperties,
  loadConfig,
  redisUrlPattern,
} from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

export const CartApiConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  /**
   * Load shedding: add-item's steps move in lockstep across each Redis round trip, so a request that
   * will be refused waits about in-flight / throughput to be read at all. 64 worked on keeps that
   * near 20 ms at this app's capacity (256 made the 503s' p99 ~200 ms); 192 more wait their turn,
   * costing nothing meanwhile (~30 ms of wait at capacity), so that a burst or a GC pause at half
   * load is not refused (docs/limits.md).
   */
  MAX_IN_FLIGHT: Type.Integer({ minimum: 0, maximum: 100_000, default: 64 }),
  MAX_QUEUED: Type.Integer({ minimum: 0, maximum: 100_000, default: 192 }),
  /** The persistence queue's Redis, when not the cart store's (its own connection either way, SPEC P5). */
  QUEUE_REDIS_URL: Type.Optional(Type.String({ pattern: redisUrlPattern })),
  /** How long a queue add may take before its commits go to the spool instead. */
  QUEUE_ENQUEUE_TIMEOUT_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
  /**
   * Persistence jobs being enqueued at once at most: under overload, a full batch that finds this
   * many in flight goes to the spool instead of piling up behind them.
   */
  PERSISTENCE_ENQUEUES_IN_FLIGHT: Type.Integer({ minimum: 1, maximum: 100, default: 4 }),
  /** Attempts of a persistence job that fails (PostgreSQL being away costs none: the worker waits). */
  PERSISTENCE_JOB_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  /** First retry delay of a failed persistence job (ms); it doubles on every further attempt. */
  PERSISTENCE_JOB_BACKOFF_MS: Type.Integer({ minimum: 1, maximum: 600_000, default: 500 }),
  /** Carts whose commit the spool keeps while the queue is unreachable. */
  PERSISTENCE_SPOOL_MAX_CARTS: Type.Integer({ minimum: 1, default: 100_000 }),
  /** Pause between the spool's tries to put its commits on the queue. */
  PERSISTENCE_SPOOL_RETRY_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
  /**
   * PostgreSQL, read only when a cart is missing from Redis (hydration, SPEC C5). Without it a
   * missing cart starts empty: for tests and benchmarks only.
   */
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 50, default: 2 }),
  /** Prefix of BullMQ keys (a hash tag is already in each queue name). */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
  /** An untouched cart expires after this; its version counter does not (SPEC C3). */
  CART_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 24 * 3600 }),
  CART_MAX_QUANTITY_PER_ITEM: Type.Integer({ minimum: 1, maximum: 10_000, default: 99 }),
  CART_MAX_DISTINCT_ITEMS: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, default: 24 * 3600 }),
  /** Idempotency-Key answers a cart keeps at most; the oldest leave first (docs/limits.md). */
  IDEMPOTENCY_ANSWERS_KEPT: Type.Integer({ minimum: 1, maximum: 1_000, default: 50 }),
  /**
   * One shopper's cart changes per window, counted in Redis so every instance shares it
   * (docs/limits.md); 0 turns the limit off. A person never comes near 100 changes in 10 s.
   */
  CART_MUTATIONS_PER_WINDOW: Type.Integer({ minimum: 0, maximum: 100_000, default: 100 }),
  CART_RATE_WINDOW_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 10_000 }),
  /** How long cart-api trusts its in-memory copy of a book (0: read Redis on every request). */
  BOOK_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1000 }),
})
export type CartApiConfig = Static<typeof CartApiConfig>

export const loadCartApiConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(CartApiConfig, env)
