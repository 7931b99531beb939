import { type EmailJob, emailQueueNames } from '@bookstore/events'
import { metricValue } from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type TestStack } from './harness'

// SPEC P3, E2: the age of the oldest change not in PostgreSQL yet is watched; past
// PERSIST_LAG_ALERT_MS it raises ONE alert per episode, through the path of the dead-letter watch
// (log line, metric, e-mail to ops), and persistence-worker shows the figure in its metrics.
describe('persistence lag watch', () => {
  let stack: TestStack
  let email: Queue<EmailJob>
  beforeAll(async () => {
    stack = await startStack()
    email = new Queue(emailQueueNames.email, { connection: stack.redis, prefix: stack.queuePrefix })
  })
  afterAll(async () => {
    await email.close()
    await stack?.close()
  })

  it('alerts once when the backlog is older than the bound, and clears the episode once caught up', async () => {
    const scheduler = await stack.startScheduler({
      OPS_ALERT_EMAIL: 'ops@bookstore.test',
      PERSIST_LAG_ALERT_MS: '500',
    })
    const book = await stack.seedBook()
    const { userId, auth } = await stack.shopper()
    await stack.addItem(auth, book.bookId)
    await stack.converged([userId])
    expect(await stack.runSchedule(scheduler, 'watch-persistence-lag')).toMatchObject({ alerted: false })

    // persistence-worker stops: the next changes wait in the queue, older and older.
    await stack.stopWorker()
    await stack.addItem(auth, book.bookId)
    await new Promise((resolve) => setTimeout(resolve, 700))
    const alerted = await stack.runSchedule(scheduler, 'watch-persistence-lag')
    expect(alerted).toMatchObject({ alerted: true, waiting: 1 })
    expect(alerted.oldestAgeMs).toBeGreaterThan(500)
    expect(await metricValue(scheduler, 'persistence_lag_alerts_total')).toBe(1)
    expect(stack.logs.find((line) => line.alert === 'persistence-lag')).toMatchObject({
      level: 50,
      waiting: 1,
    })
    const [mail] = await email.getJobs(['waiting'])
    expect(mail?.data).toMatchObject({
      kind: 'ops-alert',
      to: 'ops@bookstore.test',
      alert: 'persistence-lag',
    })

    // Still behind: the same episode, no second alert.
    expect(await stack.runSchedule(scheduler, 'watch-persistence-lag')).toMatchObject({ alerted: false })
    expect(await metricValue(scheduler, 'persistence_lag_alerts_total')).toBe(1)

    await stack.startWorker()
    const worker = stack.instance('persistence-worker').app
    await stack.converged([userId])
    expect(await metricValue(worker, 'cart_persistence_oldest_unpersisted_seconds')).toBe(0)
    expect(await stack.runSchedule(scheduler, 'watch-persistence-lag')).toMatchObject({ recovered: true })

    // A new episode alerts again.
    await stack.stopWorker()
    await stack.addItem(auth, book.bookId)
    await new Promise((resolve) => setTimeout(resolve, 700))
    expect(await stack.runSchedule(scheduler, 'watch-persistence-lag')).toMatchObject({ alerted: true })
    expect(await metricValue(scheduler, 'persistence_lag_alerts_total')).toBe(2)
    await stack.startWorker()
    await stack.converged([userId])
  })
})
