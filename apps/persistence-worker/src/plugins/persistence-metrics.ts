import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** The worker's own metrics (SPEC P1-P4): lag, jobs, writes, dead letters. */
export function createPersistenceMetrics(registry: Registry, deadLetterSize: () => Promise<number>) {
  const registers = [registry]
  return {
    lag: new Histogram({
      name: 'cart_persistence_lag_seconds',
      help: 'From a cart change committed in Redis to its state written in PostgreSQL',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    jobs: new Counter({
      name: 'cart_persistence_jobs_total',
      help: 'Persistence jobs by result: done, failed (an attempt), waiting_for_database, dead_lettered',
      labelNames: ['job', 'result'],
      registers,
    }),
    commits: new Counter({
      name: 'cart_persistence_commits_total',
      help: 'Cart commits received in persistence jobs (one per cart per job)',
      registers,
    }),
    cartWrites: new Counter({
      name: 'cart_persistence_cart_writes_total',
      help: 'carts rows written (a newer version); fewer than mutations when bursts coalesce',
      registers,
    }),
    itemWrites: new Counter({
      name: 'cart_persistence_item_writes_total',
      help: 'cart_items rows written, by operation',
      labelNames: ['op'],
      registers,
    }),
    missingCarts: new Counter({
      name: 'cart_persistence_missing_carts_total',
      help: 'Commits whose cart was gone from Redis when applied (expired or lost; PostgreSQL kept its copy)',
      registers,
    }),
    alerts: new Counter({
      name: 'cart_persistence_dead_letter_alerts_total',
      help: 'Jobs moved to the dead-letter queue after their last attempt (alert on any increase)',
      registers,
    }),
    deadLetterSize: new Gauge({
      name: 'cart_persistence_dead_letter_jobs',
      help: 'Jobs parked in the dead-letter queue',
      registers,
      async collect() {
        try {
          this.set(await deadLetterSize())
        } catch {
          // Redis away: the scrape still answers, without a fresh figure.
        }
      },
    }),
  }
}
export type PersistenceMetrics = ReturnType<typeof createPersistenceMetrics>
