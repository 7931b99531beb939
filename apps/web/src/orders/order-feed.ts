import type { Order, ServerOrderChanged } from '@bookstore/events'

export type OrderFeedMessage =
  /** A newer revision of one of the shopper's orders, from the socket. */
  | { kind: 'order'; order: Order; from: ServerOrderChanged['from'] }
  /**
   * The socket is live again after it was lost: order messages are not replayed, so whatever is
   * shown may be behind and should be read again (docs/realtime-protocol.md).
   */
  | { kind: 'resumed' }

/**
 * The shopper's order messages, fanned out to the pages that show orders. The socket is the live
 * cart's (one per tab); this only passes on what it hears. The realtime client already drops
 * revisions it has seen; each page still keeps the higher of what it read and what it heard.
 */
export class OrderFeed {
  #listeners = new Set<(message: OrderFeedMessage) => void>()

  subscribe = (listener: (message: OrderFeedMessage) => void): (() => void) => {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  publish(message: OrderFeedMessage): void {
    for (const listener of this.#listeners) listener(message)
  }
}

/** Only a newer revision replaces an order that is held (revisions grow by one per transition). */
export const isNewerOrder = (held: Order | undefined, incoming: Order): boolean =>
  held === undefined || incoming.revision > held.revision

/**
 * The newer of two states of one order (a page's read, a socket message). A socket message carries
 * no history: the held (older) history stays shown until the order is read again. Of two states of
 * the same revision, a read (with its history, complete up to that revision) wins over what is held,
 * which may carry an older history along.
 */
export function newerOrder(held: Order | undefined, incoming: Order): Order {
  if (!held) return incoming
  if (incoming.revision < held.revision) return held
  if (incoming.revision === held.revision) return incoming.history ? incoming : held
  return incoming.history || !held.history ? incoming : { ...incoming, history: held.history }
}
