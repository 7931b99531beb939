import {
  authPlugin,
  deadLetterRoutes,
  queueWorkerSettings,
  servicePlugin,
  tokenVerifierFromConfig,
} from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import type { MailWorkerConfig } from './config'
import { mailWorkerPlugin } from './plugins/mail-worker'

/** mail-worker as a plugin: tests register it exactly as main.ts does. */
export async function mailWorker(app: FastifyInstance, options: { config: MailWorkerConfig }) {
  const { config } = options
  // Tier 1: the service kit.
  await app.register(servicePlugin, {
    serviceName: 'mail-worker',
    description:
      'Sends the e-mails queued on {email} (abandoned-cart reminders, ops alerts) over SMTP; DLQ admin.',
  })
  await app.register(authPlugin, { verify: tokenVerifierFromConfig(config) })
  // Tier 2: the worker.
  await app.register(mailWorkerPlugin, {
    worker: queueWorkerSettings(config, config.MAIL_CONCURRENCY),
    attempts: config.EMAIL_ATTEMPTS,
    backoffMs: config.EMAIL_BACKOFF_MS,
    smtpUrl: config.SMTP_URL,
    smtpTimeoutMs: config.SMTP_TIMEOUT_MS,
    from: config.MAIL_FROM,
  })
  // Tier 3: routes (admin only; the worker has no business routes).
  await app.register(deadLetterRoutes, { ...app.deadLetters.of('mail'), jobs: 'e-mail' })
}
