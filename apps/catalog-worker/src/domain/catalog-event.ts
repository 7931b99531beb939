import { type CatalogEvent, CatalogEventJob, catalogJobId, retryingJobOptions } from '@bookstore/events'
import type { Queue } from 'bullmq'
import { Check } from 'typebox/value'
import { type SweepDeps, type SweepStats, sweepBook } from './sweep-book'

/** A job of the catalog events queue that is not a catalog event: no retry will make it one. */
export class InvalidCatalogEventError extends Error {
  override name = 'InvalidCatalogEventError'
}

export interface CatalogEventDeps extends SweepDeps {
  /** The catalog events queue, where the second sweep of an event is scheduled. */
  catalogEvents: Pick<Queue<CatalogEventJob>, 'add'>
  /** When the second sweep runs (RESWEEP_DELAY_MS). */
  resweepDelayMs: number
  /** Milliseconds, for the sweep's duration (default: performance.now). */
  clock?: () => number
}

/** One job of the catalog events queue as the worker got it. */
export interface CatalogEventRun {
  id: string
  data: unknown
  /** Tried before (retried, or taken over from a worker that died mid-sweep). */
  retried: boolean
}

export interface CatalogEventOutcome {
  event: CatalogEvent
  sweep: 1 | 2
  stats: SweepStats
  sweepSeconds: number
}

/**
 * Applies one catalog event to every cart holding its book (SPEC B3-B5). Every event is swept
 * twice: now, and again after `resweepDelayMs` for carts that added the book with its old state
 * meanwhile (docs/catalog.md).
 */
export async function applyCatalogEvent(
  deps: CatalogEventDeps,
  job: CatalogEventRun,
): Promise<CatalogEventOutcome> {
  if (!Check(CatalogEventJob, job.data))
    throw new InvalidCatalogEventError(`job ${job.id} is not a catalog event job`)
  const { event, sweep } = job.data
  if (sweep === 1 && event.type !== 'book.created') {
    // Scheduled first: the second sweep must happen even if this one dies half-way.
    await deps.catalogEvents.add(
      event.type,
      { event, sweep: 2 },
      {
        jobId: catalogJobId(event.eventId, 2),
        delay: deps.resweepDelayMs,
        ...retryingJobOptions(20, 500, 3600),
      },
    )
  }
  const clock = deps.clock ?? (() => performance.now())
  const startedAt = clock()
  // A job taken up again may find carts its earlier try changed but never enqueued for
  // persistence: it enqueues those too.
  const stats = await sweepBook(deps, event, { includeUnchanged: job.retried })
  return { event, sweep, stats, sweepSeconds: (clock() - startedAt) / 1000 }
}
