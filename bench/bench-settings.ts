/**
 * What both servers of the cart benchmark share, so that the bare route sends Redis exactly the
 * arguments cart-api sends: the book every seeded book looks like and the cart limits.
 */
export const benchBook = {
  title: 'Benchmarking Redis',
  priceCents: 1999,
  /** Large enough that no add is ever refused with OUT_OF_STOCK. */
  stock: 1_000_000,
} as const

export const benchCartSettings = {
  cartTtlSeconds: 3600,
  idempotencyTtlSeconds: 3600,
  /** The highest values cart-api's config accepts, so that no add is ever refused. */
  maxQuantityPerItem: 10_000,
  maxDistinctItems: 1_000,
  /** Counted as in production (the script's INCR), but so high that no add is ever refused. */
  rateLimit: { mutations: 100_000, windowMs: 10_000 },
} as const

/** The environment that gives cart-api the settings above. */
export const cartApiSettingsEnv = {
  CART_TTL_SECONDS: String(benchCartSettings.cartTtlSeconds),
  IDEMPOTENCY_TTL_SECONDS: String(benchCartSettings.idempotencyTtlSeconds),
  CART_MAX_QUANTITY_PER_ITEM: String(benchCartSettings.maxQuantityPerItem),
  CART_MAX_DISTINCT_ITEMS: String(benchCartSettings.maxDistinctItems),
  ...cartRateLimitEnv(),
}

/** The shopper rate limit of the benches (a hot cart takes thousands of changes a second). */
export function cartRateLimitEnv() {
  return {
    CART_MUTATIONS_PER_WINDOW: String(benchCartSettings.rateLimit.mutations),
    CART_RATE_WINDOW_MS: String(benchCartSettings.rateLimit.windowMs),
  }
}

/**
 * The carts of the add-item load (bench:cart and the calibration): each user adds only from its own
 * few books, so a cart stops growing after a few requests and the script's work (decode, change,
 * encode the cart) is then the same for every server however many requests it manages.
 */
export const addItemLoadShape = { users: 1000, books: 200, booksPerCart: 5, connections: 100 } as const

/** What every app a bench starts from its build is given: the bench's Redis, key and queue prefix. */
export const benchAppEnv = (redisUrl: string, publicKeyPem: string, runId: string) => ({
  REDIS_URL: redisUrl,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  JWT_PUBLIC_KEY: publicKeyPem,
  QUEUE_PREFIX: runId,
})

/** cart-api as a bench starts it: benchAppEnv and the cart settings above. */
export const benchCartApiEnv = (redisUrl: string, publicKeyPem: string, runId: string) => ({
  ...benchAppEnv(redisUrl, publicKeyPem, runId),
  ...cartApiSettingsEnv,
})
