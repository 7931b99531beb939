import { emailQueueNames, retryingJobOptions } from '@bookstore/events'
import { type QueueWorkerSettings, queueWorker } from '@bookstore/service-kit/queue-worker'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { kindLabelOf, userIdsOf } from '../domain/email-message'
import { createMailer } from '../domain/mailer'
import { sendEmailJob, UndeliverableEmailError } from '../domain/send-email'
import { createMailMetrics } from './mail-metrics'

export interface MailWorkerOptions {
  /** Its concurrency is also the most SMTP connections held open. */
  worker: QueueWorkerSettings
  /** Retry policy of the jobs this worker enqueues itself (admin replays). */
  attempts: number
  backoffMs: number
  smtpUrl: string
  smtpTimeoutMs: number
  from: string
}

/**
 * Consumes `{email}` (SPEC S1, S3) with the queue-worker kit: each job is sent by sendEmailJob. A
 * failed send spends an attempt (the producer's exponential backoff spaces them); the last failed
 * attempt, or an e-mail that can never be sent, parks the job in `{email-dlq}`, counts an alert and
 * writes an error line with `alert: 'email-dead-letter'`. SMTP being away is not a readiness
 * failure: the mail waits in the queue.
 */
export const mailWorkerPlugin = fp(
  async (app: FastifyInstance, options: MailWorkerOptions) => {
    const metrics = createMailMetrics(app.metrics)
    const mailer = createMailer({
      url: options.smtpUrl,
      timeoutMs: options.smtpTimeoutMs,
      maxConnections: options.worker.concurrency,
    })
    const deps = { mailer, from: options.from, log: app.log, observeSend: metrics.observeSend }
    await app.register(queueWorker, {
      ...options.worker,
      name: 'mail',
      queue: emailQueueNames.email,
      jobOptions: retryingJobOptions(options.attempts, options.backoffMs),
      what: 'e-mail job',
      metricPrefix: 'email',
      jobLabel: (job) => kindLabelOf(job.data),
      process: (job) =>
        sendEmailJob(deps, {
          id: String(job.id),
          name: job.name,
          data: job.data,
          attempt: job.attemptsMade + 1,
        }),
      isPermanent: (error) => error instanceof UndeliverableEmailError,
      deadLetter: { queue: emailQueueNames.emailDeadLetter, alert: 'email-dead-letter', userIdsOf },
      onFailedAttempt: (job) => metrics.failedAttempt(kindLabelOf(job.data)),
    })
    // After the worker has closed (preClose): the sends in flight have finished.
    app.addHook('onClose', async () => mailer.close())
  },
  { name: 'mail-worker', dependencies: ['metrics', 'health'] },
)
