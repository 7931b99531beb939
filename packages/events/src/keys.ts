/**
 * The Redis key and channel layout, in one place. Every key a cart script touches carries the
 * user's hash tag `{<userId>}` so that all of them live in one Redis Cluster slot.
 */
export const cartKeys = (userId: string) => {
  const tag = `{${userId}}`
  return {
    /** STRING: the cart document (JSON), expires after the cart TTL. */
    cart: `cart:${tag}`,
    /** STRING counter: the cart version; never expires so versions never repeat (SPEC C3). */
    version: `cart:${tag}:version`,
    /** HASH Idempotency-Key -> the stored answer of a mutation (SPEC C4), a bounded number of them. */
    answers: `cart:${tag}:idem`,
    /** ZSET Idempotency-Key -> when its answer was stored: the oldest answers leave first. */
    answerOrder: `cart:${tag}:idem-order`,
    /** STRING counter: the shopper's mutations in the current rate window (expires with it). */
    mutations: `cart:${tag}:mutations`,
    /** Sharded Pub/Sub channel (SPUBLISH) carrying every committed change of this cart (SPEC RT1). */
    events: `cart-events:${tag}`,
  }
}

export type CartKeys = ReturnType<typeof cartKeys>

/** HASH: the book read model written by book-api and read by cart-api (SPEC B2). */
export const bookKey = (bookId: string) => `book:${bookId}`
