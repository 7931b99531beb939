import { createTransport } from 'nodemailer'
import type { OutgoingEmail } from './email-message'

export interface MailerOptions {
  /** `smtp://` or `smtps://`, with credentials when the server wants them. */
  url: string
  timeoutMs: number
  /** Connections kept to the SMTP server: as many as e-mails are sent at once. */
  maxConnections: number
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string; response: string }>
  close(): void
}

/**
 * nodemailer over a pool of SMTP connections. The pool never re-sends a message by itself
 * (maxRequeues 0): a failed send fails the job's attempt, and BullMQ's backoff is the one retry
 * policy, counted in the job's attempts.
 */
export function createMailer(options: MailerOptions): Mailer {
  const transport = createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections,
    maxRequeues: 0,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    dnsTimeout: options.timeoutMs,
  })
  return {
    async send(email) {
      const info = await transport.sendMail(email)
      return { messageId: info.messageId, response: info.response }
    },
    close: () => transport.close(),
  }
}

/**
 * The SMTP server answered with a 5xx reply (unknown mailbox, message refused): by SMTP's rules the
 * same message will be refused again, so a retry only delays the dead letter. Connection failures
 * and 4xx replies carry no such code, or a 4xx one, and are worth retrying.
 */
export function isPermanentRejection(error: unknown): error is Error & { responseCode: number } {
  if (!(error instanceof Error) || !('responseCode' in error)) return false
  const { responseCode } = error
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600
}
