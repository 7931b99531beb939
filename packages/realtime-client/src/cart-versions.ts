import type { Cart, ServerCartChanged, ServerSnapshot, ServerUpToDate } from '@bookstore/events'

/** What became of one server message. */
export type Outcome =
  /** The cart changed to this message's version. */
  | 'applied'
  /** Applied, but versions were skipped: ask the server for a snapshot (resync). */
  | 'applied-after-gap'
  /** Already seen or older than what is held: ignored. */
  | 'ignored'

/**
 * The version bookkeeping of SPEC RT3, with no socket in it: the client holds the newest cart it
 * has seen and its version; anything not newer is a duplicate or late, and is ignored. Every
 * message carries the whole cart (RT1), so a newer one is always safe to apply; a skipped version
 * (a gap) means changes were missed, which the caller answers with a resync.
 */
export class CartVersions {
  #version: number | undefined
  #cart: Cart | undefined

  constructor(start: { version?: number | undefined; cart?: Cart | undefined } = {}) {
    this.#cart = start.cart
    this.#version = start.cart?.version ?? start.version
  }

  get version(): number | undefined {
    return this.#version
  }

  get cart(): Cart | undefined {
    return this.#cart
  }

  applySnapshot(message: ServerSnapshot): Outcome {
    if (this.#version !== undefined && message.version <= this.#version && this.#cart !== undefined)
      return 'ignored'
    if (this.#version !== undefined && message.version < this.#version) return 'ignored'
    this.#version = message.version
    this.#cart = message.cart
    return 'applied'
  }

  applyEvent(message: ServerCartChanged): Outcome {
    const previous = this.#version
    if (previous !== undefined && message.version <= previous) return 'ignored'
    this.#version = message.version
    this.#cart = message.cart
    return previous !== undefined && message.version > previous + 1 ? 'applied-after-gap' : 'applied'
  }

  /** `up-to-date` changes nothing: it confirms that what is held is current. */
  isCurrent(message: ServerUpToDate): boolean {
    return this.#version === message.version
  }
}
