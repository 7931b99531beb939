import { Counter, Histogram, type Registry } from 'prom-client'
import type { PersistenceJobRun } from '../domain/persistence-job'

/**
 * The worker's own metrics (SPEC P1-P4): lag and writes. Jobs by result, dead letters and queue
 * depth come from the queue-worker kit (`cart_persistence_jobs_total`, ...).
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
    help: 'Commits whose cart was gone from Redis when applied (expired or lost; PostgreSQL kept its copy)',
    registers,
  })
  return {
    /** Counts what one applied job did. */
    record(run: PersistenceJobRun) {
      commits.inc(run.commits)
      for (const lagMs of run.lagsMs) lag.observe(lagMs / 1000)
      cartWrites.inc(run.outcome.written.length)
      itemWrites.inc({ op: 'upsert' }, run.outcome.itemUpserts)
      itemWrites.inc({ op: 'delete' }, run.outcome.itemDeletes)
      missingCarts.inc(run.outcome.missing.length)
    },
  }
}
