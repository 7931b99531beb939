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
  /** Persistence jobs applied at once (each in its own transaction). */
  PERSIST_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
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
