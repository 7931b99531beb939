#!/usr/bin/env node
/**
 * The sink as a process, for the local stack (mailpit-style): SMTP on SMTP_PORT (1025), the web
 * viewer on HTTP_PORT (8025), both on HOST (127.0.0.1); MAX_MESSAGES (500) are kept in memory.
 * Point a sender at it with SMTP_URL=smtp://127.0.0.1:1025.
 */
import { startSmtpSink } from './smtp-sink'
import { startMailViewer } from './viewer'

function integerFrom(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(
      `Invalid configuration:\n  ${name}: must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`,
    )
    process.exit(1)
  }
  return value
}

const host = process.env.HOST || '127.0.0.1'
const smtpPort = integerFrom('SMTP_PORT', 1025, 0, 65535)
const httpPort = integerFrom('HTTP_PORT', 8025, 0, 65535)
const maxMessages = integerFrom('MAX_MESSAGES', 500, 1, 100_000)

const sink = await startSmtpSink({
  host,
  port: smtpPort,
  maxMessages,
  onMessage: (message) =>
    console.log(
      `received #${message.id} for ${message.envelope.to.join(', ')}: ${JSON.stringify(message.subject)}`,
    ),
})
const viewer = await startMailViewer(sink, { host, port: httpPort })
console.log(`smtp-sink: SMTP on ${sink.url}, web viewer on ${viewer.url}`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    if (stopping) return
    stopping = true
    void Promise.all([viewer.close(), sink.close()]).then(() => process.exit(0))
  })
