import {
  authConfigProperties,
  baseConfigProperties,
  loadConfig,
  workerConfigProperties,
} from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

export const BookApiConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  ...workerConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3007 }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  /** Small by default: the local stack's PGlite serves one statement at a time. */
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** Prefix of BullMQ keys (a hash tag is already in each queue name). */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
  /**
   * The outbox relay: how often it looks for rows another instance (or a crash) left behind; a
   * change made by this instance is relayed at once. 'false' turns the relay off in this instance.
   */
  OUTBOX_RELAY: Type.Boolean({ default: true }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
  OUTBOX_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  /** Rebuild the Redis read model of every book from PostgreSQL when the app starts (SPEC B2). */
  READ_MODEL_REBUILD_ON_START: Type.Boolean({ default: true }),
  /** Load the sample catalog (a few hundred books) when the books table is empty: the local stack. */
  SEED_CATALOG: Type.Boolean({ default: false }),
  /** The stock reservation worker of the checkout saga (docs/orders.md); 'false': another instance runs it. */
  RESERVATION_WORKER: Type.Boolean({ default: true }),
  /** Reservation jobs worked on at once (each one transaction; orders sharing books queue on row locks). */
  RESERVATION_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
  /** Holds released per expiry sweep job. */
  RESERVATION_EXPIRE_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
  /** Longest pause between tries while PostgreSQL is unreachable (those cost no attempt). */
  DATABASE_RETRY_MAX_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
})
export type BookApiConfig = Static<typeof BookApiConfig>

export const loadBookApiConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(BookApiConfig, env)
