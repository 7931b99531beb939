import { Gauge, type Registry } from 'prom-client'

/** What the gauge needs of a BullMQ queue (so the service kit does not depend on BullMQ). */
export interface CountableQueue {
  name: string
  getJobCounts(...states: string[]): Promise<Record<string, number>>
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const

/**
 * `queue_jobs{queue, state}`: how many jobs each queue holds per state, read at scrape time
 * (SPEC E2 queue depth). Waiting that keeps growing means the workers fall behind.
 */
export function registerQueueDepthMetric(registry: Registry, queues: CountableQueue[]): void {
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per queue and state, read at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of queues) {
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
