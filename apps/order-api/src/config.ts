import {
  authConfigProperties,
  baseConfigProperties,
  loadConfig,
  workerConfigProperties,
} from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

/** What the fake payment provider does for one operation (docs/orders.md). */
const FakeBehaviour = Type.Union(
  ['approve', 'decline', 'timeout', 'twice'].map((behaviour) => Type.Literal(behaviour)),
  { default: 'approve' },
)

export const OrderApiConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  ...workerConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3011 }),
  /** Orders, their lines and history; the shopper's e-mail address is read from auth-api's users. */
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** Prefix of BullMQ keys: the same as book-api's (reservations), cart-api's and mail-worker's. */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
  /** How long stock is held for a pending order; past it the order is cancelled and the stock released. */
  RESERVATION_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 24 * 3600, default: 900 }),
  /**
   * A pending order this long past its hold's expiry is cancelled by order-api's sweep even if
   * book-api never said the hold expired (its answer lost, its worker down).
   */
  ORDER_EXPIRY_GRACE_MS: Type.Integer({ minimum: 0, maximum: 3600_000, default: 30_000 }),
  /**
   * Saga jobs worked on at once; each holds one order's row lock and one connection of the
   * worker's own pool (SAGA_CONCURRENCY connections, beside DATABASE_POOL_SIZE for requests).
   */
  SAGA_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
  /** Attempts of a saga job (a payment timing out is retried with them), then `{order-saga-dlq}`. */
  SAGA_JOB_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  SAGA_JOB_BACKOFF_MS: Type.Integer({ minimum: 1, maximum: 600_000, default: 250 }),
  /**
   * The sweep hands a pending order untouched this long back to the saga (a request to book-api
   * that was lost with a crashed process is sent again); confirmed ones the same for their e-mail.
   */
  SWEEP_STALE_MS: Type.Integer({ minimum: 100, maximum: 3600_000, default: 60_000 }),
  /** Orders looked at per sweep job. */
  SWEEP_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
  DATABASE_RETRY_MAX_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
  /** The payment provider: only the fake exists here (an external service cannot run in this repo). */
  PAYMENT_PROVIDER: Type.Union([Type.Literal('fake')], { default: 'fake' }),
  /** A provider call slower than this counts as timed out (its job is retried; the key makes it safe). */
  PAYMENT_TIMEOUT_MS: Type.Integer({ minimum: 10, maximum: 120_000, default: 5000 }),
  FAKE_PAYMENT_AUTHORIZE: FakeBehaviour,
  FAKE_PAYMENT_CAPTURE: FakeBehaviour,
  /** How long the fake provider keeps an order's payment record after its last call. */
  FAKE_PAYMENT_RECORD_TTL_SECONDS: Type.Integer({ minimum: 60, default: 30 * 24 * 3600 }),
  /** Carts: expiry of a cart that had none, and how long the purchase's answer guards a second run. */
  CART_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 24 * 3600 }),
  CART_IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, default: 7 * 24 * 3600 }),
  /** The web shop: confirmation e-mails link to SHOP_URL/orders/<id>. */
  SHOP_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000' }),
  EMAIL_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  EMAIL_BACKOFF_MS: Type.Integer({ minimum: 1, maximum: 3600_000, default: 30_000 }),
})
export type OrderApiConfig = Static<typeof OrderApiConfig>

export const loadOrderApiConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(OrderApiConfig, env)
