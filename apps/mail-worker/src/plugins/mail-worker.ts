import {
  type DeadLetterJob,
  type EmailJob,
  emailQueueNames,
  retryingJobOptions,
  stalledJobDetection,
} from '@bookstore/events'
import {
  bindQueueLifecycle,
  createPatientRedis,
  deadLetter,
  failAttempt,
  registerQueueDepthMetric,
} from '@bookstore/service-kit'
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { kindLabelOf, outgoingEmail, payloadProblem, userIdsOf } from '../domain/email-message'
import { createMailer, isPermanentRejection } from '../domain/mailer'
import { renderEmail, UnrenderableEmailError } from '../templates'
import { createMailMetrics } from './mail-metrics'

declare module 'fastify' {
  interface FastifyInstance {
    /** The dead-letter queue (parked jobs) and the queue replays go back to. */
    deadLetters: { dlq: Queue<DeadLetterJob>; target: Queue }
  }
}

export interface MailWorkerOptions {
  redisUrl: string
  prefix: string
  concurrency: number
  stalledJobTimeoutMs: number
  /** Retry policy of the jobs this worker enqueues itself (admin replays). */
  attempts: number
  backoffMs: number
  smtpUrl: string
  smtpTimeoutMs: number
  from: string
}

/**
 * Consumes `{email}` (SPEC S1, S3): validates each job, renders its template and hands the e-mail
 * to SMTP. A failed send spends an attempt (the producer's exponential backoff spaces them); the
 * last failed attempt, or a payload that can never be sent, parks the job in `{email-dlq}`, counts
 * an alert and writes an error line with `alert: 'email-dead-letter'`. SMTP being away is not a
 * readiness failure: the mail waits in the queue.
 */
export const mailWorkerPlugin = fp(
  async (app: FastifyInstance, options: MailWorkerOptions) => {
    const producerConnection = createPatientRedis(options.redisUrl, 'mail-producer')
    const workerConnection = createPatientRedis(options.redisUrl, 'mail-worker')

    const target = new Queue(emailQueueNames.email, {
      connection: producerConnection,
      prefix: options.prefix,
      defaultJobOptions: retryingJobOptions(options.attempts, options.backoffMs),
    })
    const dlq = new Queue<DeadLetterJob>(emailQueueNames.emailDeadLetter, {
      connection: producerConnection,
      prefix: options.prefix,
    })
    const metrics = createMailMetrics(app.metrics, () => dlq.getWaitingCount())
    registerQueueDepthMetric(app.metrics, [target, dlq])

    const mailer = createMailer({
      url: options.smtpUrl,
      timeoutMs: options.smtpTimeoutMs,
      maxConnections: options.concurrency,
    })

    async function send(job: Job): Promise<void> {
      const problem = payloadProblem(job.name, job.data)
      if (problem) throw new UnrecoverableError(problem)
      const email = job.data as EmailJob
      let rendered: ReturnType<typeof renderEmail>
      try {
        rendered = renderEmail(email)
      } catch (error) {
        if (error instanceof UnrenderableEmailError)
          throw new UnrecoverableError(`cannot render ${email.kind}: ${error.message}`)
        throw error
      }
      const outgoing = outgoingEmail(email, rendered, String(job.id), options.from)
      const stopTimer = metrics.sendDuration.startTimer({ kind: email.kind })
      try {
        const info = await mailer.send(outgoing)
        stopTimer({ result: 'sent' })
        metrics.sent.inc({ kind: email.kind })
        app.log.info(
          { jobId: job.id, kind: email.kind, messageId: info.messageId, attempt: job.attemptsMade + 1 },
          'e-mail sent',
        )
      } catch (error) {
        stopTimer({ result: 'failed' })
        if (isPermanentRejection(error))
          throw new UnrecoverableError(`the SMTP server refused it: ${error.message}`)
        throw error
      }
    }

    /** The last attempt failed (or cannot succeed): park the job and raise the alert (SPEC S3). */
    async function park(job: Job, error: Error) {
      const entry = await deadLetter(dlq, job, error.message, { userIds: userIdsOf(job.data) })
      metrics.alerts.inc()
      app.log.error(
        {
          alert: 'email-dead-letter',
          jobId: job.id,
          job: job.name,
          userIds: entry.userIds,
          attemptsMade: entry.attemptsMade,
          err: error,
        },
        'e-mail job dead-lettered after its last attempt',
      )
    }

    const worker = new Worker(
      emailQueueNames.email,
      async (job) => {
        try {
          await send(job)
        } catch (error) {
          metrics.failures.inc({ kind: kindLabelOf(job.data) })
          throw await failAttempt(job, error, {
            unrecoverable: error instanceof UnrecoverableError,
            park,
            log: app.log,
            what: 'e-mail job',
          })
        }
      },
      {
        connection: workerConnection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        autorun: false,
        ...stalledJobDetection(options.stalledJobTimeoutMs),
      },
    )
    // The jobs in flight finish their sends (and parking) before the worker closes.
    bindQueueLifecycle(app, {
      connections: [producerConnection, workerConnection],
      queues: [target, dlq],
      workers: [worker],
    })
    app.decorate('deadLetters', { dlq, target })
    app.addReadinessCheck('redis', () => producerConnection.ping())
    app.addHook('onClose', async () => mailer.close())
  },
  { name: 'mail-worker', dependencies: ['metrics', 'health'] },
)
