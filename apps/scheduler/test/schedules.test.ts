import { setTimeout as sleep } from 'node:timers/promises'
import { signTestToken, uniqueId } from '@bookstore/test-kit'
import { type Job, Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scheduleNames, scheduleQueueName } from '../src/schedules'
import { manualPeriods, startStack, type TestStack } from './harness'

describe('schedules', () => {
  let stack: TestStack

  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack?.close())

  // SPEC S2: every instance upserts the same job schedulers, so two instances make one run per
  // period, and the queue's global concurrency keeps runs of a schedule from overlapping.
  it('runs each repeatable job once per period however many instances run', async () => {
    const periodMs = 400
    const fast = {
      RECONCILE_EVERY_MS: String(periodMs),
      DEAD_LETTER_WATCH_EVERY_MS: String(periodMs),
      ABANDONED_CARTS_EVERY_MS: String(periodMs),
      RESYNC_EVERY_MS: String(periodMs),
      ORDER_SWEEP_EVERY_MS: String(periodMs),
      PERSIST_LAG_WATCH_EVERY_MS: String(periodMs),
      REDIS_MEMORY_WATCH_EVERY_MS: String(periodMs),
    }
    const started = Date.now()
    const first = await stack.startScheduler(fast)
    const second = await stack.startScheduler(fast)
    await sleep(4000)
    await Promise.all([first.close(), second.close()])
    const elapsed = Date.now() - started

    for (const name of scheduleNames) {
      const queue = new Queue(scheduleQueueName(name), { connection: stack.redis, prefix: stack.queuePrefix })
      const runs: Job[] = await queue.getJobs(['completed', 'failed'], 0, -1, true)
      await queue.close()
      expect(runs.filter((job) => job.failedReason)).toEqual([])
      const ids = runs.map((job) => job.id)
      expect(new Set(ids).size).toBe(ids.length)
      // Two independent schedules would make twice as many runs as periods.
      expect(runs.length).toBeGreaterThanOrEqual(3)
      expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsed / periodMs) + 1)
      const spans = runs
        .map((job) => [job.processedOn ?? 0, job.finishedOn ?? 0] as const)
        .sort((a, b) => a[0] - b[0])
      for (let index = 1; index < spans.length; index += 1)
        expect(spans[index]?.[0]).toBeGreaterThanOrEqual(spans[index - 1]?.[1] ?? 0)
    }
  })

  it('shows admins the schedules and their last runs, and runs one on demand', async () => {
    const scheduler = await stack.startScheduler()
    const admin = await stack.adminAuth()
    // A start enqueues each schedule's first run at once, and until a worker takes it that run is
    // the next one, due now. Listed once the first runs have started, the next run is a period on.
    await expect
      .poll(async () =>
        (await scheduler.inject({ url: '/admin/schedules', headers: admin }))
          .json<{ schedules: { recentRuns: { startedAt: number | null }[] }[] }>()
          .schedules.every((schedule) => schedule.recentRuns.some((run) => run.startedAt !== null)),
      )
      .toBe(true)
    const listed = await scheduler.inject({ url: '/admin/schedules', headers: admin })
    expect(listed.statusCode).toBe(200)
    const schedules = listed.json<{ schedules: { name: string; everyMs: number; nextRunAt: number }[] }>()
      .schedules
    expect(schedules.map((schedule) => schedule.name)).toEqual([...scheduleNames])
    expect(schedules[0]?.everyMs).toBe(Number(manualPeriods.RECONCILE_EVERY_MS))
    expect(schedules[0]?.nextRunAt).toBeGreaterThan(Date.now())

    const result = await stack.runSchedule(scheduler, 'watch-dead-letters')
    expect(result).toEqual({ alerts: [] })
    const after = await scheduler.inject({ url: '/admin/schedules', headers: admin })
    const watch = after
      .json<{ schedules: { name: string; recentRuns: { state: string; result: unknown }[] }[] }>()
      .schedules.find((schedule) => schedule.name === 'watch-dead-letters')
    expect(watch?.recentRuns[0]).toMatchObject({ state: 'completed', result: { alerts: [] } })
  })

  it('answers bad requests with a 4xx and a machine-readable code', async () => {
    const scheduler = await stack.startScheduler()
    const customer = {
      authorization: `Bearer ${await signTestToken(stack.keys.privateKey, uniqueId('user'))}`,
    }
    const admin = await stack.adminAuth()
    const anonymous = await scheduler.inject({ url: '/admin/schedules' })
    expect(anonymous.statusCode).toBe(401)
    const forbidden = await scheduler.inject({ url: '/admin/schedules', headers: customer })
    expect([forbidden.statusCode, forbidden.json().error.code]).toEqual([403, 'FORBIDDEN'])
    const unknown = await scheduler.inject({
      method: 'POST',
      url: '/admin/schedules/make-coffee/run',
      headers: admin,
    })
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'SCHEDULE_NOT_FOUND'])
    const malformed = await scheduler.inject({
      method: 'POST',
      url: '/admin/schedules/DROP%20TABLE/run',
      headers: admin,
    })
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'VALIDATION_FAILED'])
  })
})
