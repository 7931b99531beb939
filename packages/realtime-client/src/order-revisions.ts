import type { ServerOrderChanged } from '@bookstore/events'

/**
 * The newest revision seen of each order: an order's messages may arrive twice or out of order
 * (one per transition, published after each commit), and only a newer revision is news.
 */
export class OrderRevisions {
  readonly #revisions = new Map<string, number>()

  /** True when the message is newer than anything seen of its order (and is now the newest). */
  apply(message: ServerOrderChanged): boolean {
    const { id, revision } = message.order
    const seen = this.#revisions.get(id)
    if (seen !== undefined && revision <= seen) return false
    this.#revisions.set(id, revision)
    return true
  }

  revisionOf(orderId: string): number | undefined {
    return this.#revisions.get(orderId)
  }
}
