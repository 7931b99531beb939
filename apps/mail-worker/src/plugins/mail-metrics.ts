import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** The worker's own metrics (SPEC S1, S3, E2): sends, failures, dead letters. */
export function createMailMetrics(registry: Registry, deadLetterSize: () => Promise<number>) {
  const registers = [registry]
  return {
    sent: new Counter({
      name: 'emails_sent_total',
      help: 'E-mails the SMTP server accepted, by kind',
      labelNames: ['kind'],
      registers,
    }),
    failures: new Counter({
      name: 'email_send_failures_total',
      help: 'Failed attempts (SMTP refused or unreachable, invalid payload), by kind',
      labelNames: ['kind'],
      registers,
    }),
    sendDuration: new Histogram({
      name: 'email_send_duration_seconds',
      help: 'Time to hand one e-mail to the SMTP server, by kind and result',
      labelNames: ['kind', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    alerts: new Counter({
      name: 'email_dead_letter_alerts_total',
      help: 'E-mail jobs moved to the dead-letter queue after their last attempt (alert on any increase)',
      registers,
    }),
    deadLetterSize: new Gauge({
      name: 'email_dead_letter_jobs',
      help: 'E-mail jobs parked in the dead-letter queue',
      registers,
      async collect() {
        try {
          this.set(await deadLetterSize())
        } catch {
          // Redis away: the scrape still answers, without a fresh figure.
        }
      },
    }),
  }
}
export type MailMetrics = ReturnType<typeof createMailMetrics>
