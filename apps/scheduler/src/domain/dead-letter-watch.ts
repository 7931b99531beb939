import type { OpsAlertEmail } from '@bookstore/events'

/** A parked (or finally failed) job, as the watch reports it. */
export interface DeadJob {
  id: string
  name: string
  /** When it was parked (or failed for good), epoch ms. */
  at: number
  reason: string
}

/** A place where jobs end up when they gave up: a DLQ, or the failed set of a queue without one. */
export interface WatchedQueue {
  name: string
  count(): Promise<number>
  /** Jobs from `start` to `end` (inclusive), newest first. */
  newest(start: number, end: number): Promise<DeadJob[]>
}

/** Where the watch remembers, per queue, the time of the newest dead job it has alerted on. */
export interface Watermarks {
  get(queue: string): Promise<number>
  set(queue: string, at: number): Promise<void>
}

export interface DeadLetterAlert {
  queue: string
  /** Dead jobs since the last alert (at most `maxNewJobs` are counted). */
  newJobs: number
  total: number
  sample: DeadJob[]
}

export interface DeadLetterWatchDeps {
  watched: readonly WatchedQueue[]
  watermarks: Watermarks
  /** Raises one alert (log line, metric, and an e-mail when configured). */
  alert: (alert: DeadLetterAlert) => Promise<void>
}

const PAGE = 100
const maxNewJobs = 1000

/**
 * SPEC S3: raises ONE alert per queue for the jobs that were dead-lettered since the last run
 * (not one per run while they sit there, nor one per job in a storm). The watermark lives in Redis,
 * so any instance of the scheduler carries on where another left off; the first run ever alerts on
 * what is already parked.
 */
export async function watchDeadLetters(deps: DeadLetterWatchDeps) {
  const alerts: DeadLetterAlert[] = []
  for (const queue of deps.watched) {
    const total = await queue.count()
    if (total === 0) continue
    const since = await deps.watermarks.get(queue.name)
    const fresh: DeadJob[] = []
    let done = false
    for (let start = 0; !done && start < maxNewJobs; start += PAGE) {
      const jobs = await queue.newest(start, start + PAGE - 1)
      for (const job of jobs) {
        if (job.at <= since) {
          done = true
          break
        }
        fresh.push(job)
      }
      if (jobs.length < PAGE) done = true
    }
    if (fresh.length === 0) continue
    const alert = { queue: queue.name, newJobs: fresh.length, total, sample: fresh.slice(0, 5) }
    await deps.alert(alert)
    await deps.watermarks.set(queue.name, Math.max(...fresh.map((job) => job.at)))
    alerts.push(alert)
  }
  return { alerts }
}

/** The e-mail to the operators for one alert, and its job id (the same alert is e-mailed once). */
export function opsAlertEmailOf(alert: DeadLetterAlert, to: string, now: number) {
  const newestAt = Math.max(...alert.sample.map((job) => job.at))
  const email: OpsAlertEmail = {
    kind: 'ops-alert',
    to,
    alert: 'dead-letter',
    subject: `[bookstore] ${alert.newJobs} job(s) dead-lettered on ${alert.queue}`,
    lines: [
      `Queue: ${alert.queue}`,
      `New dead-lettered jobs: ${alert.newJobs} (now ${alert.total} in all)`,
      ...alert.sample.map(
        (job) => `- ${job.name} ${job.id} at ${new Date(job.at).toISOString()}: ${job.reason.slice(0, 300)}`,
      ),
      'Inspect and replay them with the admin routes of the owning worker (GET /admin/dead-letters).',
    ],
    raisedAt: now,
  }
  return { email, jobId: `ops-alert-${alert.queue.replace(/[^A-Za-z0-9_-]/g, '')}-${newestAt}` }
}
