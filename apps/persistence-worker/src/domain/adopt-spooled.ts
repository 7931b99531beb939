import type { DurableSpool } from '@bookstore/cart-store'
import { syncJobsOf } from '@bookstore/events'

export interface AdoptDeps {
  spool: DurableSpool
  /** Adds jobs to the persistence queue (this worker's own). */
  enqueue: (jobs: ReturnType<typeof syncJobsOf>) => Promise<unknown>
  now: () => number
}

export interface AdoptSettings {
  /** A mark not renewed for this long is adopted: its cart-api died, or its queue is away for long. */
  idleMs: number
  /** Marks per page (one sync job each page). */
  pageSize: number
}

/**
 * SPEC P3: the carts a cart-api left in the durable spool (its queue was away, then it died, or
 * its queue stays away) are put on the queue as full-cart syncs, so PostgreSQL converges within
 * seconds, not at the next reconciliation; then their marks are taken out, unless renewed since
 * (the instance is alive and spooled the cart again: it keeps its mark). A sync writes the cart as
 * Redis holds it when it runs, so adopting a mark whose commits also reach the queue some other
 * way writes nothing twice that matters. Returns the number of carts adopted.
 */
export async function adoptSpooledCarts(deps: AdoptDeps, settings: AdoptSettings): Promise<number> {
  const cutoff = deps.now() - settings.idleMs
  let adopted = 0
  for (;;) {
    const marks = await deps.spool.idleSince(cutoff, settings.pageSize)
    if (marks.length === 0) return adopted
    const userIds = [...new Set(marks.map((mark) => mark.userId))]
    await deps.enqueue(syncJobsOf(userIds, 'spooled by a cart-api that did not enqueue it'))
    await deps.spool.releaseMarks(marks, cutoff)
    adopted += userIds.length
    if (marks.length < settings.pageSize) return adopted
  }
}
