import { Gauge, type Registry } from 'prom-client'

/** What the gauge needs of a queue: a BullMQ queue, or anything that counts its jobs the same way. */
export interface CountableQueue {
  name: string
  getJobCounts(...states: string[]): Promise<Record<string, number>>
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const

// One gauge per registry: an app with several workers adds each one's queues to the same series.
const watchedBy = new WeakMap<Registry, CountableQueue[]>()

/**
 * `queue_jobs{queue, state}`: how many jobs each queue holds per state, read at scrape time
 * (SPEC E2 queue depth). Waiting that keeps growing means the workers fall behind. Calling it again
 * for the same registry adds the queues to the one gauge.
 */
export function registerQueueDepthMetric(registry: Registry, queues: readonly CountableQueue[]): void {
  const watched = watchedBy.get(registry)
  if (watched) {
    watched.push(...queues)
    return
  }
  const list = [...queues]
  watchedBy.set(registry, list)
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per queue and state, read at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of list) {
        try {
          const counts = await queue.getJobCounts(...STATES)
          for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0)
        } catch {
          // Redis away: the scrape still answers, without a fresh figure for this queue.
        }
      }
    },
  })
}
