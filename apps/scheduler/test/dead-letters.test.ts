import { type EmailJob, emailQueueNames, queueNames } from '@bookstore/events'
import { uniqueId, waitFor } from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type TestStack } from './harness'

/** A series' value from the Prometheus text of an app (0 when absent); `series` names its first labels. */
async function metric(app: FastifyInstance, series: string) {
  const text = (await app.inject({ url: '/metrics' })).body
  const line = text.split('\n').find((entry) => entry.startsWith(series))
  return line ? Number(line.split(' ').at(-1)) : 0
}

// SPEC S3: jobs that were dead-lettered raise ONE alert per watch run that finds new ones: a log
// line, a metric and, when an ops address is set, an e-mail on the e-mail queue.
describe('dead-letter watch', () => {
  let stack: TestStack
  let persistence: Queue
  let persistenceDlq: Queue
  let email: Queue<EmailJob>

  beforeAll(async () => {
    stack = await startStack()
    const connection = { connection: stack.redis, prefix: stack.queuePrefix }
    persistence = new Queue(queueNames.cartPersistence, connection)
    persistenceDlq = new Queue(queueNames.cartPersistenceDeadLetter, connection)
    email = new Queue(emailQueueNames.email, connection)
  })
  afterAll(async () => {
    await Promise.all([persistence.close(), persistenceDlq.close(), email.close()])
    await stack?.close()
  })

  /** A job persistence-worker can never apply: it parks it in its DLQ at once. */
  async function poisonJob() {
    const before = await persistenceDlq.getWaitingCount()
    await persistence.add('persist-carts', { commits: [{ userId: uniqueId('user'), version: 'x' }] })
    await waitFor(async () => (await persistenceDlq.getWaitingCount()) > before, 'the job to be parked')
  }

  it('alerts once per new dead letter: log line, metric and an e-mail to ops', async () => {
    const scheduler = await stack.startScheduler({ OPS_ALERT_EMAIL: 'ops@bookstore.test' })
    const series = 'dead_letter_alerts_total{queue="{cart-persistence-dlq}"'
    expect(await stack.runSchedule(scheduler, 'watch-dead-letters')).toEqual({ alerts: [] })

    await poisonJob()
    const first = await stack.runSchedule(scheduler, 'watch-dead-letters')
    expect(first).toMatchObject({ alerts: [{ queue: '{cart-persistence-dlq}', newJobs: 1, total: 1 }] })
    expect(await metric(scheduler, series)).toBe(1)
    expect(await metric(scheduler, 'dead_letter_jobs{queue="{cart-persistence-dlq}"')).toBe(1)
    const line = stack.logs.find((entry) => entry.alert === 'dead-letter')
    expect(line).toMatchObject({ level: 50, queue: '{cart-persistence-dlq}', newJobs: 1 })
    const [opsMail] = await email.getJobs(['waiting'])
    expect(opsMail?.data).toMatchObject({ kind: 'ops-alert', to: 'ops@bookstore.test', alert: 'dead-letter' })
    expect(opsMail?.data.kind === 'ops-alert' && opsMail.data.lines.join('\n')).toContain('persist-carts')

    // Still parked, nothing new: no second alert.
    expect(await stack.runSchedule(scheduler, 'watch-dead-letters')).toEqual({ alerts: [] })
    expect(await metric(scheduler, series)).toBe(1)

    await poisonJob()
    await poisonJob()
    const third = await stack.runSchedule(scheduler, 'watch-dead-letters')
    expect(third).toMatchObject({ alerts: [{ queue: '{cart-persistence-dlq}', newJobs: 2, total: 3 }] })
    expect(await metric(scheduler, series)).toBe(2)
    expect(await email.getWaitingCount()).toBe(2)
  })
})
