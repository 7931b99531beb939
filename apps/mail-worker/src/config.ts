import {
  authConfigProperties,
  baseConfigProperties,
  loadConfig,
  workerConfigProperties,
} from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

export const MailWorkerConfig = Type.Object({
  ...baseConfigProperties,
  ...authConfigProperties,
  ...workerConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3010 }),
  /**
   * Where e-mail is handed over: `smtp://[user:pass@]host:port` (STARTTLS when offered) or
   * `smtps://` (TLS from the first byte). Never logged: it may hold a password.
   */
  SMTP_URL: Type.String({ pattern: '^smtps?://[^\\s]+$' }),
  /** The From of every e-mail; its domain also names the Message-IDs. */
  MAIL_FROM: Type.String({ pattern: '@[^\\s@>]+>?\\s*$', default: '"Bookstore" <no-reply@bookstore.local>' }),
  /** Prefix of BullMQ keys (a hash tag is already in each queue name); the same as the scheduler's. */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'bull' }),
  /** E-mails sent at once (also the most SMTP connections held open). */
  MAIL_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
  /**
   * Attempts of the e-mail jobs this worker puts on the queue (an admin replay). Producers set
   * their own jobs' attempts; the worker parks a job after the last of them, whatever the number.
   */
  EMAIL_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  /** First retry delay (ms) of those jobs; it doubles on every further attempt. */
  EMAIL_BACKOFF_MS: Type.Integer({ minimum: 1, maximum: 600_000, default: 2000 }),
  /** Longest wait (ms) for the SMTP server to connect, greet, or answer a command. */
  SMTP_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
})
export type MailWorkerConfig = Static<typeof MailWorkerConfig>

export const loadMailWorkerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(MailWorkerConfig, env)
