import { stalledJobDetection } from '@bookstore/events'
import { DelayedError, Queue, UnrecoverableError, Worker } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { failAttempt } from './dead-letter'
import { deadLetterParking } from './dead-letter-parking'
import { DeadLetterPlaces } from './dead-letter-places'
import { sweepFailedJobs } from './dead-letter-sweep'
import { registerQueueDepthMetric } from './queue-depth-metric'
import { bindQueueLifecycle } from './queue-lifecycle'
import type { QueueJob, QueueWorkerOptions } from './queue-worker-options'
import { createPatientRedis } from './redis-plugin'
import { createWorkerMetrics } from './worker-metrics'

// The kit's entry point (also `@bookstore/service-kit/queue-worker`): the plugin and its types.
export { type DeadLetterPlace, DeadLetterPlaces } from './dead-letter-places'
export * from './queue-worker-options'
export { createDeadLetterMetrics, createWorkerMetrics, type WorkerMetrics } from './worker-metrics'

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)))

/**
 * One BullMQ worker and everything around it (SPEC P4, S3, E2, E4): the consumed queue and its
 * dead-letter queue on a patient Redis connection (commands wait out an outage), the worker on its
 * own, metrics, readiness, start on ready and graceful close (bindQueueLifecycle). A failed attempt
 * is retried with the job's backoff; the last one, or a permanent failure, parks the job from inside
 * the attempt (failAttempt), counts an alert, writes an error line with `alert` and adds the policy's
 * follow-up jobs. The app supplies `process`: what a job does.
 */
async function queueWorkerPlugin(app: FastifyInstance, options: QueueWorkerOptions) {
  const { name, prefix, what, deadLetter: policy, waitFor } = options
  const producer = createPatientRedis(options.redisUrl, `${name}-producer`)
  const workerConnection = createPatientRedis(options.redisUrl, `${name}-worker`)
  const target = new Queue(options.queue, {
    connection: producer,
    prefix,
    ...(options.jobOptions && { defaultJobOptions: options.jobOptions }),
  })

  const metrics = createWorkerMetrics(app.metrics, { prefix: options.metricPrefix, queue: options.queue })
  const labelOf = options.jobLabel ?? ((job: QueueJob) => job.name)
  const parking =
    policy &&
    deadLetterParking(policy, {
      connection: producer,
      prefix,
      target,
      registry: app.metrics,
      metricPrefix: options.metricPrefix,
      workerMetrics: metrics,
      jobLabel: labelOf,
      log: app.log,
      what,
    })
  const dlq = parking?.dlq
  registerQueueDepthMetric(app.metrics, dlq ? [target, dlq] : [target])
  // Without a dead-letter queue BullMQ keeps the job in the failed set; the line says so.
  const leaveInFailedSet = async (job: QueueJob, error: Error) => {
    app.log.error(
      { err: error, jobId: job.id, job: job.name, attemptsMade: job.attemptsMade + 1 },
      `${what} failed its last attempt; it stays in the failed set`,
    )
  }
  const park = parking?.park ?? leaveInFailedSet

  // Pauses while a dependency is away grow with each consecutive such failure, and reset on success.
  let unavailableStreak = 0
  const worker = new Worker<unknown, unknown>(
    options.queue,
    async (job, token) => {
      const label = labelOf(job)
      const stopTimer = metrics.duration.startTimer({ job: label })
      const count = (result: string) => {
        stopTimer({ result })
        metrics.jobs.inc({ job: label, result })
      }
      try {
        const result = await options.process(job, { target, token })
        unavailableStreak = 0
        count('done')
        return result
      } catch (error) {
        const permanent = error instanceof UnrecoverableError || options.isPermanent?.(error) === true
        if (!permanent && waitFor?.isUnavailable(error)) {
          unavailableStreak += 1
          const pauseMs = Math.min(waitFor.maxPauseMs, 100 * 2 ** Math.min(unavailableStreak, 16))
          count(waitFor.result)
          app.log.warn({ jobId: job.id, pauseMs }, waitFor.message)
          await job.moveToDelayed(Date.now() + pauseMs, token)
          throw new DelayedError()
        }
        count('failed')
        const err = toError(error)
        options.onFailedAttempt?.(job, err)
        await failAttempt(job, err, { unrecoverable: permanent, park, log: app.log, what })
        // BullMQ must not retry a permanent failure either: it fails for good as it is parked.
        throw permanent && !(err instanceof UnrecoverableError) ? new UnrecoverableError(err.message) : err
      }
    },
    {
      connection: workerConnection,
      prefix,
      concurrency: options.concurrency,
      autorun: false,
      ...stalledJobDetection(options.stalledJobTimeoutMs),
    },
  )

  // A job BullMQ failed without running it (it stalled more often than allowed: its workers died
  // under it) never reached `process`: it is parked here, or left with a line that says so.
  worker.on('failed', (job, error) => {
    if (!job?.deferredFailure) return
    void park(job, error).catch(() => {}) // Logged by park; the sweep below tries again.
  })
  if (parking && dlq) {
    const sweepEveryMs = options.deadLetterSweepMs ?? 30_000
    let sweeping: Promise<unknown> | undefined
    const timer = setInterval(() => {
      sweeping ??= sweepFailedJobs({ target, dlq, park: parking.park, settleMs: 5000, log: app.log, what })
        .then(({ parked }) => {
          if (parked > 0) app.log.warn({ parked }, `${what}s that had failed without being parked, parked`)
        })
        .catch((error: unknown) => app.log.warn({ err: error }, 'dead-letter sweep failed; trying again'))
        .finally(() => {
          sweeping = undefined
        })
    }, sweepEveryMs)
    timer.unref()
    app.addHook('preClose', async () => {
      clearInterval(timer)
      await sweeping
    })
  }

  bindQueueLifecycle(app, {
    connections: [producer, workerConnection, ...(options.closes?.connections ?? [])],
    queues: [target, ...(dlq ? [dlq] : []), ...(options.closes?.queues ?? [])],
    workers: [worker],
  })
  if (dlq) {
    if (!app.hasDecorator('deadLetters')) app.decorate('deadLetters', new DeadLetterPlaces())
    app.deadLetters.add(name, { dlq, target })
  }
  if (options.readiness !== false) app.addReadinessCheck(options.readiness ?? 'redis', () => producer.ping())
}

/**
 * The queue-worker kit as a plugin: register it once per worker, with `process` and its options;
 * an app may hold several (each its own name).
 */
export const queueWorker = fp(queueWorkerPlugin, {
  name: 'queue-worker',
  dependencies: ['metrics', 'health'],
})
