/** The repeatable jobs of the scheduler (SPEC S1-S3, P6): one BullMQ queue and job scheduler each. */
export const scheduleNames = [
  'reconcile-carts',
  'resync-carts',
  'remind-abandoned-carts',
  'watch-dead-letters',
  'sweep-orders',
  'watch-persistence-lag',
  'watch-redis-memory',
] as const
export type ScheduleName = (typeof scheduleNames)[number]

export const isScheduleName = (name: string): name is ScheduleName =>
  (scheduleNames as readonly string[]).includes(name)

/**
 * Each schedule has a queue of its own, with a global concurrency of 1: however many scheduler
 * instances run, one run of a schedule happens at a time, and a run that outlasts its period
 * delays the next instead of overlapping it.
 */
export const scheduleQueueName = (name: ScheduleName) => `{schedule-${name}}`
