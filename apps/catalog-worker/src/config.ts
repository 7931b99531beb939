import { baseConfigProperties, loadConfig, workerConfigProperties } from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

export const CatalogWorkerConfig = Type.Object({
  ...baseConfigProperties,
  ...workerConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3008 }),
  /** Prefix of BullMQ keys: the same as book-api's (catalog events) and cart-api's (persistence). */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
  /** Catalog events worked on at once (each sweeps the carts of one book). */
  CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  /** Carts per ZSCAN page; each page is one pipeline of propagation scripts. */
  SWEEP_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
  /**
   * When the second sweep of an event runs: longer than cart-api's BOOK_CACHE_TTL_MS plus the
   * longest add-item request, so an add that used the old book state has committed by then.
   */
  RESWEEP_DELAY_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 6000 }),
  /**
   * A cart seen without the book leaves the book's cart index only when its last add of the book is
   * older than this (an add whose index entry is younger may not have committed yet).
   */
  INDEX_PRUNE_AFTER_MS: Type.Integer({ minimum: 1000, default: 10 * 60_000 }),
  /** The expiry a cart without one gets when a catalog change rewrites it (cart-api's CART_TTL_SECONDS). */
  CART_TTL_SECONDS: Type.Integer({ minimum: 60, default: 60 * 24 * 3600 }),
})
export type CatalogWorkerConfig = Static<typeof CatalogWorkerConfig>

export const loadCatalogWorkerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(CatalogWorkerConfig, env)
