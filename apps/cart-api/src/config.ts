import { authConfigProperties, baseConfigProperties, loadConfig } from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

export const CartApiConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  /** Prefix of BullMQ keys (a hash tag is already in each queue name). */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
  /** An untouched cart expires after this; its version counter does not (SPEC C3). */
  CART_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 24 * 3600 }),
  CART_MAX_QUANTITY_PER_ITEM: Type.Integer({ minimum: 1, maximum: 10_000, default: 99 }),
  CART_MAX_DISTINCT_ITEMS: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, default: 24 * 3600 }),
  /** How long cart-api trusts its in-memory copy of a book (0: read Redis on every request). */
  BOOK_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1000 }),
})
export type CartApiConfig = Static<typeof CartApiConfig>

export const loadCartApiConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(CartApiConfig, env)
