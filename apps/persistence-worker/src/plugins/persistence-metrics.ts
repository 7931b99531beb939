import { Counter, Histogram, type Registry } from 'prom-client'
import type { PersistenceJobRun } from '../domain/persistence-job'
import type { WrittenBatch } from '../domain/write-batches'

/**
 * The worker's own metrics (SPEC P1-P4): lag, batches and writes. Jobs by result, dead letters and
 * queue depth come from the queue-worker kit (`cart_persistence_jobs_total`, ...).
 */
export function createPersistenceMetrics(registry: Registry) {
  const registers = [registry]
  const lag = new Histogram({
    name: 'cart_persistence_lag_seconds',
    help: 'From a cart change committed in Redis to its state written in PostgreSQL',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  })
  const commits = new Counter({
    name: 'cart_persistence_commits_total',
    help: 'Cart commits of the persistence jobs applied (one per cart per job)',
    registers,
  })
  const batches = new Counter({
    name: 'cart_persistence_batches_total',
    help: 'Batches written (one transaction each, unless a bad cart split one), by mode and result',
    labelNames: ['mode', 'result'],
    registers,
  })
  const batchCarts = new Histogram({
    name: 'cart_persistence_batch_carts',
    help: 'Distinct carts per batch: grows with the backlog (coalescing harder when the database is slow)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
    registers,
  })
  const batchJobs = new Histogram({
    name: 'cart_persistence_batch_jobs',
    help: 'Jobs one batch served',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers,
  })
  const batchSeconds = new Histogram({
    name: 'cart_persistence_batch_seconds',
    help: 'Time to read a batch of carts from Redis and write it to PostgreSQL',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  })
  const cartWrites = new Counter({
    name: 'cart_persistence_cart_writes_total',
    help: 'carts rows written (a newer version); fewer than mutations when bursts coalesce',
    registers,
  })
  const itemWrites = new Counter({
    name: 'cart_persistence_item_writes_total',
    help: 'cart_items rows written, by operation',
    labelNames: ['op'],
    registers,
  })
  const missingCarts = new Counter({
    name: 'cart_persistence_missing_carts_total',
    help: 'Carts gone from Redis when a batch read them (expired or lost; PostgreSQL kept its copy)',
    registers,
  })
  const advanced = new Counter({
    name: 'cart_persistence_versions_advanced_total',
    help: 'Carts older in Redis than in PostgreSQL (Redis restored from an older snapshot) moved past it',
    registers,
  })
  return {
    /** Counts what one applied job did. */
    recordJob(run: PersistenceJobRun) {
      commits.inc(run.commits)
      for (const lagMs of run.lagsMs) lag.observe(lagMs / 1000)
    },
    /** Counts what one batch did. */
    recordBatch(batch: WrittenBatch) {
      batches.inc({ mode: batch.mode, result: batch.outcome ? 'written' : 'failed' })
      batchCarts.observe(batch.carts)
      batchJobs.observe(batch.requests)
      batchSeconds.observe(batch.durationMs / 1000)
      const { outcome } = batch
      if (!outcome) return
      cartWrites.inc(outcome.written.length)
      itemWrites.inc({ op: 'upsert' }, outcome.itemUpserts)
      itemWrites.inc({ op: 'delete' }, outcome.itemDeletes)
      missingCarts.inc(outcome.missing.length)
      advanced.inc(outcome.advanced.length)
    },
  }
}
