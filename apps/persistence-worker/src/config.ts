import {
  authConfigProperties,
  baseConfigProperties,
  loadConfig,
  workerConfigProperties,
} from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

export const PersistenceWorkerConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  ...workerConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3005 }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  /** Connections to PostgreSQL (the local stack's PGlite wants few). */
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 4 }),
  /** Prefix of BullMQ keys (a hash tag is already in each queue name); the same as cart-api's. */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
  /**
   * Persistence jobs worked on at once. Their carts are written together, a batch per transaction,
   * so this bounds how many jobs one transaction can serve: keep it above what arrives during one.
   */
  PERSIST_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 5000, default: 256 }),
  /** Carts one transaction writes at most (a larger backlog is written as several). */
  PERSIST_BATCH_MAX_CARTS: Type.Integer({ minimum: 1, maximum: 20_000, default: 1000 }),
  /** Batches (transactions) written at once; at most DATABASE_POOL_SIZE are useful. */
  PERSIST_TRANSACTIONS: Type.Integer({ minimum: 1, maximum: 100, default: 2 }),
  /**
   * A cart left marked in the durable spool this long by a cart-api (it died with commits in its
   * spool, or its queue stays away) is put on the queue by this worker; checked every
   * SPOOL_ADOPT_EVERY_MS.
   */
  SPOOL_ADOPT_AFTER_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5000 }),
  SPOOL_ADOPT_EVERY_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 1000 }),
  /** cart-api's cart expiry: a cart this worker rewrites in Redis (past PostgreSQL's version) keeps its own. */
  CART_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 24 * 3600 }),
  /** Attempts of the full-cart sync jobs this worker enqueues (the producer sets persist jobs'). */
  SYNC_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  /** First retry delay (ms) of those sync jobs; it doubles on every further attempt. */
  SYNC_BACKOFF_MS: Type.Integer({ minimum: 1, maximum: 600_000, default: 500 }),
  /** Longest wait (ms) between tries while PostgreSQL is unreachable (those tries cost no attempt). */
  DATABASE_RETRY_MAX_MS: Type.Integer({ minimum: 10, maximum: 600_000, default: 5000 }),
})
export type PersistenceWorkerConfig = Static<typeof PersistenceWorkerConfig>

export const loadPersistenceWorkerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(PersistenceWorkerConfig, env)
