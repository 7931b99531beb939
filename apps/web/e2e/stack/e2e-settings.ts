/**
 * What the e2e run and its stack agree on. The port is chosen once by the Playwright config and
 * handed to the stack and to every worker through the environment.
 */
export const E2E_ADMIN = { email: 'admin@e2e.example', password: 'e2e admin password, long enough' }

/**
 * The stack's SMTP sink refuses mail to addresses starting with this (550, a permanent error): an
 * order's confirmation e-mail to such a shopper is parked in the e-mail dead-letter queue at once,
 * which gives the admin pages a real dead letter to replay and discard.
 */
export const UNDELIVERABLE_PREFIX = 'undeliverable-'

export function e2eWebPort(env: Record<string, string | undefined> = process.env): number {
  const port = Number(env.E2E_WEB_PORT)
  if (!Number.isInteger(port) || port <= 0)
    throw new Error('E2E_WEB_PORT is not set (playwright.config.ts sets it)')
  return port
}
