import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** The scheduler's own metrics (SPEC E2); queue depth and dead-letter sizes are gauges read at scrape. */
export function createSchedulerMetrics(registry: Registry) {
  const registers = [registry]
  return {
    runs: new Counter({
      name: 'scheduler_runs_total',
      help: 'Runs of each scheduled job, by result',
      labelNames: ['schedule', 'result'],
      registers,
    }),
    runSeconds: new Histogram({
      name: 'scheduler_run_seconds',
      help: 'Duration of one run of each scheduled job',
      labelNames: ['schedule'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800],
      registers,
    }),
    reconciledCarts: new Counter({
      name: 'reconciliation_carts_total',
      help: 'Carts compared by reconciliation, by outcome (in_sync, behind, differing, recent, ahead, invalid)',
      labelNames: ['outcome'],
      registers,
    }),
    restoredCarts: new Counter({
      name: 'resync_carts_restored_total',
      help: 'Carts the daily re-sync wrote back into Redis from PostgreSQL',
      registers,
    }),
    reminders: new Counter({
      name: 'abandoned_cart_reminders_total',
      help: 'Abandoned-cart reminders put on the e-mail queue',
      registers,
    }),
    deadLetterAlerts: new Counter({
      name: 'dead_letter_alerts_total',
      help: 'Alerts raised because jobs were dead-lettered, by queue',
      labelNames: ['queue'],
      registers,
    }),
    deadLetteredJobs: new Counter({
      name: 'dead_letter_new_jobs_total',
      help: 'Dead-lettered jobs the watch found (at most 1000 counted per run and queue)',
      labelNames: ['queue'],
      registers,
    }),
    persistenceLagAlerts: new Counter({
      name: 'persistence_lag_alerts_total',
      help: 'Alerts raised because the oldest change not in PostgreSQL was older than PERSIST_LAG_ALERT_MS (one per episode)',
      registers,
    }),
    redisMemoryRatio: new Gauge({
      name: 'redis_memory_used_ratio',
      help: "A cart Redis node's used memory over its maxmemory (0 when it has no limit), at the last watch",
      labelNames: ['node'],
      registers,
    }),
    redisMemoryAlerts: new Counter({
      name: 'redis_memory_alerts_total',
      help: 'Alerts raised because a cart Redis node passed REDIS_MEMORY_ALERT_RATIO of its maxmemory (one per episode)',
      registers,
    }),
  }
}
export type SchedulerMetrics = ReturnType<typeof createSchedulerMetrics>
