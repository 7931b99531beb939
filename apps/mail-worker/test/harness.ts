import {
  type AbandonedCartEmail,
  type DeadLetterJob,
  type EmailJob,
  emailQueueNames,
  retryingJobOptions,
} from '@bookstore/events'
import { type Env, type LogLine, startStack, uniqueId } from '@bookstore/test-kit'
import { loadMailWorkerConfig } from '../src'

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

/**
 * mail-worker on a test stack of its own, sending to `smtpUrl`, with its log lines collected, a
 * producer queue that sets attempts and backoff as the scheduler does, and tokens for the DLQ routes.
 */
export async function startMailWorker(smtpUrl: string, env: Env = {}) {
  const logs: LogLine[] = []
  const stack = await startStack({
    apps: [
      {
        name: 'mail-worker',
        logs,
        env: { SMTP_URL: smtpUrl, LOG_LEVEL: 'info', SMTP_TIMEOUT_MS: '2000', ...env },
      },
    ],
  })
  const { app: worker, env: workerEnv } = stack.instance('mail-worker')
  const config = loadMailWorkerConfig(workerEnv)
  // Untyped on purpose: tests also enqueue payloads that are not e-mail jobs.
  const queue = stack.queue(emailQueueNames.email, {
    defaultJobOptions: retryingJobOptions(config.EMAIL_ATTEMPTS, config.EMAIL_BACKOFF_MS),
  })
  const dlq = stack.queue<DeadLetterJob>(emailQueueNames.emailDeadLetter)

  return {
    ...stack,
    worker,
    config,
    logs,
    queue,
    dlq,
    /** Enqueues a job the way a producer does: the job name is its kind. */
    add: (email: EmailJob, jobId?: string) => queue.add(email.kind, email, jobId ? { jobId } : {}),
    /** Enqueues anything at all (a producer with a bug). */
    addRaw: (name: string, data: unknown) => queue.add(name, data),
    admin: () => stack.adminAuth(),
    customer: () => stack.bearer(uniqueId('user')),
  }
}
export type TestMailWorker = Awaited<ReturnType<typeof startMailWorker>>
