import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/**
 * The metrics every queue worker has (SPEC E2): `<prefix>_jobs_total{job,result}` (`done`,
 * `failed` for an attempt, `dead_lettered`, or the result of a try that waited for a dependency)
 * and `<prefix>_job_duration_seconds{job,result}`. `email` gives `email_jobs_total`, ...
 */
export function createWorkerMetrics(registry: Registry, options: { prefix: string; queue: string }) {
  const { prefix, queue } = options
  const registers = [registry]
  return {
    jobs: new Counter({
      name: `${prefix}_jobs_total`,
      help: `Jobs of ${queue} by result: done, failed (an attempt), dead_lettered, or waiting for a dependency`,
      labelNames: ['job', 'result'],
      registers,
    }),
    duration: new Histogram({
      name: `${prefix}_job_duration_seconds`,
      help: `Time one attempt at a job of ${queue} took, by result`,
      labelNames: ['job', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  }
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>

/**
 * A dead-letter queue's metrics: `<prefix>_dead_letter_alerts_total` (jobs parked: alert on any
 * increase) and `<prefix>_dead_letter_jobs` (how many wait there, read at scrape time).
 */
export function createDeadLetterMetrics(
  registry: Registry,
  options: { prefix: string; queue: string; deadLetterQueue: string; size: () => Promise<number> },
) {
  const { prefix, queue, deadLetterQueue, size } = options
  const registers = [registry]
  new Gauge({
    name: `${prefix}_dead_letter_jobs`,
    help: `Jobs parked in ${deadLetterQueue}`,
    registers,
    async collect() {
      try {
        this.set(await size())
      } catch {
        // Redis away: the scrape still answers, without a fresh figure.
      }
    },
  })
  return {
    alerts: new Counter({
      name: `${prefix}_dead_letter_alerts_total`,
      help: `Jobs of ${queue} that failed for good: moved to ${deadLetterQueue}, or tried to be (alert on any increase)`,
      registers,
    }),
  }
}
