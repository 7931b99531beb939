import {
  type AbandonedCartEmail,
  type DeadLetterJob,
  type EmailJob,
  emailQueueNames,
  retryingJobOptions,
} from '@bookstore/events'
import { generateTestKeys, signTestToken, uniqueId } from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { buildMailWorker, loadMailWorkerConfig } from '../src'

export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A reminder as the scheduler enqueues it (3 books, $42.97). */
export const reminder = (overrides: Partial<AbandonedCartEmail> = {}): AbandonedCartEmail => ({
  kind: 'abandoned-cart',
  to: 'alice@example.com',
  userId: uniqueId('user'),
  cartVersion: 7,
  items: [
    { bookId: 'book-0001', title: 'Dune', quantity: 2, unitPriceCents: 1999, lineTotalCents: 3998 },
    { bookId: 'book-0002', title: 'Emma', quantity: 1, unitPriceCents: 299, lineTotalCents: 299 },
  ],
  totalCents: 4297,
  itemCount: 3,
  cartUrl: 'https://shop.example/cart',
  idleSince: Date.UTC(2026, 2, 3, 12),
  ...overrides,
})

/** One parsed JSON log line of the worker. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string }

/**
 * mail-worker as main.ts boots it, on a private queue prefix, sending to `smtpUrl`, with its log
 * lines collected, a producer queue that sets attempts and backoff as the scheduler does, and an
 * admin token for the DLQ routes.
 */
export async function startMailWorker(smtpUrl: string, env: Record<string, string> = {}) {
  const keys = generateTestKeys()
  const prefix = uniqueId('test-bull')
  const config = loadMailWorkerConfig({
    REDIS_URL: redisUrl(),
    SMTP_URL: smtpUrl,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    LOG_LEVEL: 'info',
    QUEUE_PREFIX: prefix,
    SMTP_TIMEOUT_MS: '2000',
    ...env,
  })
  const logs: LogLine[] = []
  const worker = await buildMailWorker(config, {
    logStream: { write: (line: string) => logs.push(JSON.parse(line) as LogLine) },
  })
  const redis = new Redis(redisUrl())
  // Untyped on purpose: tests also enqueue payloads that are not e-mail jobs.
  const queue = new Queue(emailQueueNames.email, {
    connection: redis,
    prefix,
    defaultJobOptions: retryingJobOptions(config.EMAIL_ATTEMPTS, config.EMAIL_BACKOFF_MS),
  })
  const dlq = new Queue<DeadLetterJob>(emailQueueNames.emailDeadLetter, { connection: redis, prefix })

  return {
    worker,
    config,
    logs,
    queue,
    dlq,
    /** Enqueues a job the way a producer does: the job name is its kind. */
    add: (email: EmailJob, jobId?: string) => queue.add(email.kind, email, jobId ? { jobId } : {}),
    /** Enqueues anything at all (a producer with a bug). */
    addRaw: (name: string, data: unknown) => queue.add(name, data),
    admin: async () => ({
      authorization: `Bearer ${await signTestToken(keys.privateKey, uniqueId('admin'), { role: 'admin' })}`,
    }),
    customer: async () => ({
      authorization: `Bearer ${await signTestToken(keys.privateKey, uniqueId('user'))}`,
    }),
    async close() {
      await worker.close()
      await queue.obliterate({ force: true }).catch(() => {})
      await dlq.obliterate({ force: true }).catch(() => {})
      await Promise.all([queue.close(), dlq.close()])
      redis.disconnect()
    },
  }
}
export type TestMailWorker = Awaited<ReturnType<typeof startMailWorker>>

/** A value from a Prometheus text exposition: the first line of `name` holding every `labels` part (0 when absent). */
export async function metricValue(app: TestMailWorker['worker'], name: string, ...labels: string[]) {
  const text = (await app.inject({ url: '/metrics' })).body
  const line = text
    .split('\n')
    .find(
      (entry) =>
        (entry.startsWith(`${name}{`) || entry.startsWith(`${name} `)) &&
        labels.every((label) => entry.includes(label)),
    )
  return line ? Number(line.split(' ').at(-1)) : 0
}
