import { Counter, Histogram, type Registry } from 'prom-client'
import type { EmailKindLabel } from '../domain/email-message'

/**
 * The worker's own metrics (SPEC S1, S3, E2), by kind: sends and failures. Jobs by result, dead
 * letters and queue depth come from the queue-worker kit (`email_jobs_total`, ...).
 */
export function createMailMetrics(registry: Registry) {
  const registers = [registry]
  const sent = new Counter({
    name: 'emails_sent_total',
    help: 'E-mails the SMTP server accepted, by kind',
    labelNames: ['kind'],
    registers,
  })
  const failures = new Counter({
    name: 'email_send_failures_total',
    help: 'Failed attempts (SMTP refused or unreachable, invalid payload), by kind',
    labelNames: ['kind'],
    registers,
  })
  const sendDuration = new Histogram({
    name: 'email_send_duration_seconds',
    help: 'Time to hand one e-mail to the SMTP server, by kind and result',
    labelNames: ['kind', 'result'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  })
  return {
    observeSend(kind: string, result: 'sent' | 'failed', seconds: number) {
      sendDuration.observe({ kind, result }, seconds)
      if (result === 'sent') sent.inc({ kind })
    },
    failedAttempt: (kind: EmailKindLabel) => failures.inc({ kind }),
  }
}
