import type { ApplyMode } from './apply-carts'
import type { PersistOutcome } from './persist-carts'

export interface WriteBatchesOptions {
  /** Reads these carts from Redis and writes them in one transaction (persistCarts). */
  write: (userIds: string[], mode: ApplyMode) => Promise<PersistOutcome>
  /** Carts one batch (one transaction) holds at most. */
  maxCarts: number
  /** Batches written at once. */
  maxInFlight: number
  /** Called after every batch, written or not, for the metrics. */
  onBatch?: (batch: WrittenBatch) => void
}

export interface WrittenBatch {
  mode: ApplyMode
  /** Distinct carts of the batch. */
  carts: number
  /** Requests (jobs) it served. */
  requests: number
  outcome?: PersistOutcome
  error?: unknown
  durationMs: number
}

interface Waiter {
  resolve: (outcome: PersistOutcome) => void
  reject: (error: unknown) => void
}

interface Batch {
  mode: ApplyMode
  userIds: Set<string>
  waiters: Waiter[]
}

/**
 * Group commit on the worker side: every job hands its carts here, and the carts of all the jobs
 * that arrive while a batch is being written go into the next one, each cart once, so that a
 * backlog of many small jobs is written as a few large transactions holding each cart's newest
 * state (a job carries no state: the batch reads the carts when it is written, after every one of
 * its commits). Batches are bounded in size (`maxCarts`) and wait for nothing but a free slot
 * (`maxInFlight`): at low load a job's carts are written at once, under load the batches grow,
 * and a slower database is met with fewer, larger transactions instead of a growing backlog.
 *
 * A job's promise settles with the batch's outcome (every cart the job named is in `written`,
 * `missing`, `failed` or needed no write); it rejects only when the batch could not be written at
 * all (the database away).
 */
export function createWriteBatches(options: WriteBatchesOptions) {
  const open = new Map<ApplyMode, Batch>()
  const sealed: Batch[] = []
  let inFlight = 0
  let scheduled = false

  function write(batch: Batch) {
    inFlight += 1
    const started = performance.now()
    const userIds = [...batch.userIds]
    options
      .write(userIds, batch.mode)
      .then(
        (outcome) => {
          options.onBatch?.(report(batch, started, { outcome }))
          for (const waiter of batch.waiters) waiter.resolve(outcome)
        },
        (error: unknown) => {
          options.onBatch?.(report(batch, started, { error }))
          for (const waiter of batch.waiters) waiter.reject(error)
        },
      )
      .finally(() => {
        inFlight -= 1
        sendWhatWaits()
      })
  }

  const report = (batch: Batch, started: number, result: Pick<WrittenBatch, 'outcome' | 'error'>) => ({
    mode: batch.mode,
    carts: batch.userIds.size,
    requests: batch.waiters.length,
    durationMs: performance.now() - started,
    ...result,
  })

  function sendWhatWaits() {
    scheduled = false
    while (inFlight < options.maxInFlight) {
      const next = sealed.shift() ?? takeOpen()
      if (!next) return
      write(next)
    }
  }

  function takeOpen(): Batch | undefined {
    for (const [mode, batch] of open) {
      open.delete(mode)
      return batch
    }
    return undefined
  }

  return {
    /** Writes the newest carts of these users with the others waiting; settles once they are written. */
    persist(userIds: readonly string[], mode: ApplyMode): Promise<PersistOutcome> {
      return new Promise<PersistOutcome>((resolve, reject) => {
        let batch = open.get(mode)
        const fresh = batch ? userIds.filter((userId) => !batch?.userIds.has(userId)).length : userIds.length
        if (batch && batch.userIds.size + fresh > options.maxCarts) {
          sealed.push(batch)
          batch = undefined
        }
        if (!batch) {
          batch = { mode, userIds: new Set(), waiters: [] }
          open.set(mode, batch)
        }
        for (const userId of userIds) batch.userIds.add(userId)
        batch.waiters.push({ resolve, reject })
        if (inFlight < options.maxInFlight && !scheduled) {
          // The rest of this event-loop turn (the jobs BullMQ hands over together) joins the batch.
          scheduled = true
          setImmediate(sendWhatWaits)
        }
      })
    },
  }
}
export type WriteBatches = ReturnType<typeof createWriteBatches>
