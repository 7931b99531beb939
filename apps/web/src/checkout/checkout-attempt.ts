/**
 * One checkout attempt = one reviewed cart version + one Idempotency-Key. The key is made the first
 * time the shopper places the order for that version and kept (in this tab's session storage, so a
 * reload while the answer was lost keeps it too) until the attempt ends: every retry of it sends the
 * same key and order-api answers with the same order, never a second one (SPEC O1). A new review
 * (another cart version) is a new attempt with a new key.
 */
export interface CheckoutAttempts {
  /** The key of the attempt for this user's cart at this version, made on first use. */
  keyFor(userId: string, cartVersion: number): string
  /** The attempt is over (an order was made, or refused for good): its key is not sent again. */
  finish(userId: string, cartVersion: number): void
}

export interface KeyStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

const storageKey = (userId: string, cartVersion: number) => `bookstore-checkout:${userId}:${cartVersion}`

export function checkoutAttempts(
  store: KeyStore | undefined,
  newKey: () => string = () => crypto.randomUUID(),
): CheckoutAttempts {
  const memory = new Map<string, string>()
  const read = (key: string) => {
    try {
      return store?.getItem(key) ?? memory.get(key) ?? null
    } catch {
      return memory.get(key) ?? null
    }
  }
  const write = (key: string, value: string) => {
    memory.set(key, value)
    try {
      store?.setItem(key, value)
    } catch {
      // Storage full or refused (private mode): the key still holds for this page.
    }
  }
  return {
    keyFor(userId, cartVersion) {
      const key = storageKey(userId, cartVersion)
      const held = read(key)
      if (held) return held
      const made = `checkout-${newKey()}`
      write(key, made)
      return made
    },
    finish(userId, cartVersion) {
      const key = storageKey(userId, cartVersion)
      memory.delete(key)
      try {
        store?.removeItem(key)
      } catch {
        // Nothing to undo.
      }
    },
  }
}

/** This tab's attempts (session storage: a reload keeps them, another tab has its own). */
export const browserCheckoutAttempts = (): CheckoutAttempts =>
  checkoutAttempts(typeof sessionStorage === 'undefined' ? undefined : sessionStorage)
