import { randomUUID } from 'node:crypto'
import type { DeadLetterJob } from '@bookstore/events'
import { Queue } from 'bullmq'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { servicePlugin } from '../src'
import { queueWorker } from '../src/queue-worker'

// `./dev test` makes sure a Redis answers there (or sets REDIS_URL).
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const prefix = `test-kit-${randomUUID().slice(0, 12)}`

class PoisonError extends Error {}

type LogLine = Record<string, unknown> & { msg?: string }

/**
 * One app with two kit workers, as an app with several would have them: `alpha` parks in its
 * dead-letter queue (with a follow-up job and waiting out a "dependency"), `beta` leaves its
 * failures in the failed set.
 */
async function buildApp(logs: LogLine[], dependencyAwayFor: { tries: number }) {
  const app = Fastify({
    logger: { level: 'info', stream: { write: (line: string) => logs.push(JSON.parse(line) as LogLine) } },
  })
  await app.register(servicePlugin, { serviceName: 'kit-test', description: 'queue-worker kit test' })
  await app.register(queueWorker, {
    name: 'alpha',
    redisUrl,
    prefix,
    queue: '{alpha}',
    concurrency: 2,
    stalledJobTimeoutMs: 5000,
    what: 'alpha job',
    metricPrefix: 'kit_alpha',
    process: async (job, { target }) => {
      if (job.name === 'ok') return { echoed: job.data }
      if (job.name === 'poison') throw new PoisonError('this payload can never work')
      if (job.name === 'away' && dependencyAwayFor.tries-- > 0) throw new Error('dependency away')
      if (job.name === 'away') return { queue: target.name }
      throw new Error(`broken ${job.name}`)
    },
    isPermanent: (error) => error instanceof PoisonError,
    deadLetter: {
      queue: '{alpha-dlq}',
      alert: 'alpha-dead-letter',
      userIdsOf: (data) => {
        const userId = (data as { userId?: unknown } | null)?.userId
        return typeof userId === 'string' ? [userId] : []
      },
      followUp: (entry) =>
        entry.name === 'broken'
          ? [{ name: 'ok', data: { repairs: entry.jobId }, opts: { jobId: `repair-${entry.jobId}` } }]
          : [],
    },
    waitFor: {
      isUnavailable: (error) => error instanceof Error && error.message === 'dependency away',
      maxPauseMs: 50,
      result: 'waiting_for_dependency',
      message: 'dependency away: the job waits',
    },
  })
  await app.register(queueWorker, {
    name: 'beta',
    redisUrl,
    prefix,
    queue: '{beta}',
    concurrency: 1,
    stalledJobTimeoutMs: 5000,
    what: 'beta job',
    metricPrefix: 'kit_beta',
    process: async () => {
      throw new Error('beta always fails')
    },
  })
  await app.ready()
  return app
}

/** The value of the first series of `name` holding every label part (undefined when absent). */
async function metric(app: FastifyInstance, name: string, ...labels: string[]) {
  const text = (await app.inject({ url: '/metrics' })).body
  const line = text
    .split('\n')
    .find((entry) => entry.startsWith(`${name}{`) && labels.every((label) => entry.includes(label)))
  return line === undefined ? undefined : Number(line.split(' ').at(-1))
}

describe('the queue-worker kit (SPEC P4, S3, E2, E4)', () => {
  const logs: LogLine[] = []
  const dependencyAwayFor = { tries: 2 }
  let app: FastifyInstance
  let redis: Redis
  let alpha: Queue
  let alphaDlq: Queue<DeadLetterJob>
  let beta: Queue
  const parked = async (jobId: string | undefined) =>
    (await alphaDlq.getJobs(['waiting'])).find((entry) => entry.data.jobId === jobId)
  beforeAll(async () => {
    app = await buildApp(logs, dependencyAwayFor)
    redis = new Redis(redisUrl)
    const retrying = { attempts: 2, backoff: { type: 'fixed' as const, delay: 10 } }
    alpha = new Queue('{alpha}', { connection: redis, prefix, defaultJobOptions: retrying })
    alphaDlq = new Queue<DeadLetterJob>('{alpha-dlq}', { connection: redis, prefix })
    beta = new Queue('{beta}', { connection: redis, prefix, defaultJobOptions: retrying })
  })
  afterAll(async () => {
    await app?.close()
    for (const queue of [alpha, alphaDlq, beta]) {
      await queue?.obliterate({ force: true }).catch(() => {})
      await queue?.close()
    }
    redis?.disconnect()
  })

  it('runs a job and counts it', async () => {
    const job = await alpha.add('ok', { n: 1 })
    await expect.poll(() => job.getState()).toBe('completed')
    expect((await alpha.getJob(String(job.id)))?.returnvalue).toEqual({ echoed: { n: 1 } })
    expect(await metric(app, 'kit_alpha_jobs_total', 'job="ok"', 'result="done"')).toBe(1)
    expect(await metric(app, 'kit_alpha_job_duration_seconds_count', 'job="ok"', 'result="done"')).toBe(1)
  })

  it('parks a job after its last attempt, with an alert, and adds its follow-up job', async () => {
    const job = await alpha.add('broken', { userId: 'user-7' })
    await expect.poll(async () => (await parked(job.id))?.data.jobId).toBe(job.id)
    const entry = await parked(job.id)
    expect(entry?.data).toMatchObject({
      queue: '{alpha}',
      name: 'broken',
      failedReason: 'broken broken',
      attemptsMade: 2,
      userIds: ['user-7'],
      data: { userId: 'user-7' },
    })
    expect(await job.getState()).toBe('failed')
    // The follow-up went onto the worker's own queue and ran.
    await expect
      .poll(async () => (await alpha.getJob(`repair-${job.id}`))?.returnvalue)
      .toEqual({
        echoed: { repairs: job.id },
      })
    expect(await metric(app, 'kit_alpha_jobs_total', 'job="broken"', 'result="failed"')).toBe(2)
    expect(await metric(app, 'kit_alpha_jobs_total', 'job="broken"', 'result="dead_lettered"')).toBe(1)
    expect(await metric(app, 'kit_alpha_dead_letter_alerts_total')).toBe(1)
    expect(await metric(app, 'kit_alpha_dead_letter_jobs')).toBe(1)
    expect(await metric(app, 'queue_jobs', 'queue="{alpha-dlq}"', 'state="waiting"')).toBe(1)
    expect(logs.filter((line) => line.msg === 'alpha job failed; it will retry')).toHaveLength(1)
    expect(logs.filter((line) => line.alert === 'alpha-dead-letter')).toEqual([
      expect.objectContaining({
        level: 50,
        jobId: job.id,
        job: 'broken',
        userIds: ['user-7'],
        attemptsMade: 2,
      }),
    ])
  })

  it('parks a permanent failure at once, and BullMQ does not retry it', async () => {
    const job = await alpha.add('poison', {})
    await expect.poll(() => job.getState()).toBe('failed')
    expect((await parked(job.id))?.data).toMatchObject({
      attemptsMade: 1,
      failedReason: 'this payload can never work',
      userIds: [],
    })
    expect((await alpha.getJob(String(job.id)))?.attemptsMade).toBe(1)
    expect(await metric(app, 'kit_alpha_dead_letter_alerts_total')).toBe(2)
  })

  it('waits out a dependency without spending the attempts', async () => {
    const job = await alpha.add('away', {}, { attempts: 1 })
    await expect.poll(() => job.getState()).toBe('completed')
    expect((await alpha.getJob(String(job.id)))?.returnvalue).toEqual({ queue: '{alpha}' })
    expect(await metric(app, 'kit_alpha_jobs_total', 'job="away"', 'result="waiting_for_dependency"')).toBe(2)
    expect(logs.filter((line) => line.msg === 'dependency away: the job waits')).toHaveLength(2)
  })

  it('leaves the failures of a worker without a dead-letter queue in the failed set', async () => {
    const job = await beta.add('any', {})
    await expect.poll(() => job.getState()).toBe('failed')
    expect(await metric(app, 'kit_beta_jobs_total', 'job="any"', 'result="failed"')).toBe(2)
    expect(await metric(app, 'kit_beta_dead_letter_jobs')).toBeUndefined()
    expect(
      logs.some((line) => line.msg === 'beta job failed its last attempt; it stays in the failed set'),
    ).toBe(true)
    // Both workers' queues are in the one queue depth gauge.
    expect(await metric(app, 'queue_jobs', 'queue="{beta}"', 'state="failed"')).toBe(1)
    expect(() => app.deadLetters.of('beta')).toThrow(/no queue worker named beta/)
    expect(app.deadLetters.of('alpha').dlq.name).toBe('{alpha-dlq}')
  })

  it('is ready while Redis answers, and closes twice without harm', async () => {
    const ready = await app.inject({ url: '/health/ready' })
    expect(ready.json()).toEqual({ status: 'ok', checks: { redis: 'ok' } })
    await app.close()
    await app.close()
  })
})
