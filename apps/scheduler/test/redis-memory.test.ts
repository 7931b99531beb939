import { metricValue } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type TestStack } from './harness'

// Issue 18: Redis runs with maxmemory + noeviction (full, it refuses writes instead of dropping
// carts), so the scheduler watches each cart node's fullness: a gauge, and ONE alert per episode
// past REDIS_MEMORY_ALERT_RATIO, through the ops alert path.
describe('Redis memory watch', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(async () => {
    await stack?.redis.config('SET', 'maxmemory', '0')
    await stack?.close()
  })

  it('alerts once when Redis passes the alert ratio of its maxmemory, and says when it is back under', async () => {
    const scheduler = await stack.startScheduler({ REDIS_MEMORY_ALERT_RATIO: '0.8' })
    const used = () =>
      stack.redis.info('memory').then((info) => Number(/^used_memory:(\d+)/m.exec(info)?.[1]))
    await stack.redis.config('SET', 'maxmemory', String((await used()) * 4))
    const calm = await stack.runSchedule(scheduler, 'watch-redis-memory')
    expect(calm).toMatchObject({ nodes: 1, alerted: false, unlimited: [] })
    expect(await metricValue(scheduler, 'redis_memory_used_ratio')).toBeLessThan(0.5)

    // Fill it to about 90% of the limit.
    const limit = (await used()) * 4
    await stack.redis.config('SET', 'maxmemory', String(limit))
    const filler = 'x'.repeat(64 * 1024)
    for (let index = 0; (await used()) < limit * 0.9; index += 1)
      await stack.redis.set(`filler:${index}`, filler)
    const full = await stack.runSchedule(scheduler, 'watch-redis-memory')
    expect(full).toMatchObject({ alerted: true })
    expect(full.fullestRatio).toBeGreaterThanOrEqual(0.8)
    expect(await metricValue(scheduler, 'redis_memory_alerts_total')).toBe(1)
    expect(stack.logs.find((line) => line.alert === 'redis-memory')).toMatchObject({ level: 50 })
    // Still full: the same episode, no second alert.
    expect(await stack.runSchedule(scheduler, 'watch-redis-memory')).toMatchObject({ alerted: false })
    expect(await metricValue(scheduler, 'redis_memory_alerts_total')).toBe(1)

    const fillers = await stack.redis.keys('filler:*')
    await stack.redis.del(...fillers)
    expect(await stack.runSchedule(scheduler, 'watch-redis-memory')).toMatchObject({ recovered: true })
  })

  it('reports a node without a memory limit', async () => {
    await stack.redis.config('SET', 'maxmemory', '0')
    const scheduler = await stack.startScheduler()
    const result = await stack.runSchedule(scheduler, 'watch-redis-memory')
    expect(result).toMatchObject({ alerted: false })
    expect(result.unlimited).toHaveLength(1)
  })
})
