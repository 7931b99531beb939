import {
  authConfigProperties,
  baseConfigProperties,
  loadConfig,
  workerConfigProperties,
} from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

const HOUR = 3600_000
const DAY = 24 * HOUR

/** A period between two runs of a scheduled job (ms). */
const Period = (defaultMs: number, description: string) =>
  Type.Integer({ minimum: 100, maximum: 30 * DAY, default: defaultMs, description })

export const SchedulerConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  ...workerConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3009 }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 2 }),
  /** Prefix of BullMQ keys: the same as every other app's (the queues are shared). */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),

  RECONCILE_EVERY_MS: Period(5 * 60_000, 'Redis-to-PostgreSQL reconciliation (SPEC P6)'),
  RESYNC_EVERY_MS: Period(DAY, 'PostgreSQL-to-Redis re-sync of lost carts (SPEC P6)'),
  ABANDONED_CARTS_EVERY_MS: Period(HOUR, 'Abandoned-cart reminders (SPEC S1)'),
  DEAD_LETTER_WATCH_EVERY_MS: Period(60_000, 'Dead-letter watch (SPEC S3)'),
  ORDER_SWEEP_EVERY_MS: Period(30_000, 'Expired stock holds and stuck orders of the checkout saga (SPEC O1)'),
  PERSIST_LAG_WATCH_EVERY_MS: Period(15_000, 'Persistence lag watch (SPEC P3, E2)'),
  REDIS_MEMORY_WATCH_EVERY_MS: Period(30_000, "Redis memory watch: each cart node's share of its maxmemory"),
  /** The oldest change not in PostgreSQL yet older than this raises the persistence lag alert. */
  PERSIST_LAG_ALERT_MS: Type.Integer({ minimum: 100, maximum: DAY, default: 30_000 }),
  /** One alert per episode once a cart Redis node uses this share of its maxmemory (noeviction: full refuses writes). */
  REDIS_MEMORY_ALERT_RATIO: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.8 }),

  /** Carts per SCAN page and per PostgreSQL query of the reconciliation sweep. */
  RECONCILE_BATCH_SIZE: Type.Integer({ minimum: 10, maximum: 10_000, default: 1000 }),
  /**
   * A cart changed less than this long ago whose PostgreSQL copy is behind is left for the next
   * sweep: its persistence job is most likely still on its way (SPEC P1 is asynchronous).
   */
  RECONCILE_GRACE_MS: Type.Integer({ minimum: 0, maximum: DAY, default: 60_000 }),
  /** Carts per page of the re-sync, and the pause between pages, so live traffic goes first. */
  RESYNC_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
  RESYNC_BATCH_PAUSE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 50 }),
  /** cart-api's cart expiry: carts idle longer than this are gone on purpose, not lost. */
  CART_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 24 * 3600 }),

  /** A cart with items untouched this long is abandoned (SPEC S1: 7 days). */
  ABANDONED_AFTER_MS: Type.Integer({ minimum: 1000, default: 7 * DAY }),
  /** Carts idle longer than this get no reminder any more (say, when the feature is first switched on). */
  ABANDONED_MAX_IDLE_MS: Type.Integer({ minimum: 1000, default: 30 * DAY }),
  ABANDONED_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
  /** The web shop; reminders link to its cart page. */
  SHOP_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000' }),
  /** Send attempts of an e-mail (exponential backoff from EMAIL_BACKOFF_MS), then its DLQ. */
  EMAIL_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  EMAIL_BACKOFF_MS: Type.Integer({ minimum: 1, maximum: HOUR, default: 30_000 }),

  /** Where alerts (dead letters, persistence lag) are e-mailed too (optional; the log line and metric always happen). */
  OPS_ALERT_EMAIL: Type.Optional(Type.String({ format: 'email' })),
  /** Sync jobs a reconciliation enqueues: attempts and first backoff (as persistence-worker's). */
  SYNC_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  SYNC_BACKOFF_MS: Type.Integer({ minimum: 1, maximum: 600_000, default: 500 }),
})
export type SchedulerConfig = Static<typeof SchedulerConfig>

export const loadSchedulerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(SchedulerConfig, env)
