import { join } from 'node:path'
import { migrateDatabase } from '@bookstore/db'
import { startMailViewer, startSmtpSink } from '@bookstore/smtp-sink'
import { redisAnswers } from '@bookstore/test-kit'
import { ensureDevKeys } from './dev-keys'
import { startEmbeddedPostgres } from './embedded-postgres'
import { appUrl, gatewayUrl, localApps, startApp } from './local-apps'
import { startLocalRedis } from './local-redis'
import { localDir } from './paths'
import { sampleBookId } from './seed-books'
import type { ServiceProcess } from './service-process'
import { StackError } from './stack-error'

const say = (line: string) => process.stdout.write(`stack | ${line}\n`)

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new StackError(`${name} is not a port: ${raw}`)
  return port
}

/** Hides the password of a URL the user passed in (the local stack's own ones hold no secret). */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}

const shown = (url: string) =>
  url === process.env.REDIS_URL || url === process.env.DATABASE_URL || url === process.env.SMTP_URL
    ? safeUrl(url)
    : url

// What is running, stopped in reverse order: apps first, then the stores they use.
const running: Array<{ name: string; stop: () => Promise<void> }> = []
let shuttingDown = false

async function shutdown(exitCode: number): Promise<void> {
  // A single Ctrl-C may arrive twice (from the terminal and relayed by tsx): stop only once.
  if (shuttingDown) return
  shuttingDown = true
  // Nothing started yet (a startup check failed): its one-line reason says it all.
  const anythingRan = running.length > 0
  for (let entry = running.pop(); entry; entry = running.pop()) {
    try {
      await entry.stop()
    } catch (error) {
      process.stderr.write(`stack | stopping ${entry.name} failed: ${String(error)}\n`)
    }
  }
  if (anythingRan) say(exitCode === 0 ? 'stopped' : 'stopped after a failure')
  process.exit(exitCode)
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0))
}

/** A child that goes away while the stack is up takes the stack down: a half-running stack misleads. */
function watch(service: ServiceProcess) {
  running.push(service)
  void service.exited.then(({ code, signal }) => {
    if (shuttingDown) return
    process.stderr.write(
      `stack | ${service.name} exited unexpectedly (${signal ?? `code ${code}`}), stopping\n`,
    )
    void shutdown(1)
  })
}

async function redisUrl(): Promise<string> {
  const given = process.env.REDIS_URL
  if (given) {
    if (!(await redisAnswers(given))) throw new StackError(`REDIS_URL=${safeUrl(given)} does not answer`)
    return given
  }
  const port = portFromEnv('LOCAL_REDIS_PORT', 6380)
  const redis = await startLocalRedis({
    port,
    dir: join(localDir, 'redis'),
    maxMemory: process.env.LOCAL_REDIS_MAXMEMORY ?? '512mb',
  })
  watch(redis.service)
  return redis.url
}

async function databaseUrl(): Promise<string> {
  const given = process.env.DATABASE_URL
  if (given) return given
  const port = portFromEnv('LOCAL_POSTGRES_PORT', 5433)
  const postgres = await startEmbeddedPostgres({ dataDir: join(localDir, 'pgdata'), host: '127.0.0.1', port })
  running.push({ name: 'PGlite', stop: postgres.stop })
  return postgres.url
}

/**
 * SMTP_URL if set, else an SMTP sink in this process that keeps what it receives, with a web page
 * to read it: the e-mails the stack sends (abandoned-cart reminders, ops alerts) land there.
 */
async function smtpUrl(): Promise<{ url: string; viewerUrl?: string }> {
  const given = process.env.SMTP_URL
  if (given) return { url: given }
  const sink = await startSmtpSink({ host: '127.0.0.1', port: portFromEnv('LOCAL_SMTP_PORT', 1025) })
  running.push({ name: 'SMTP sink', stop: sink.close })
  const viewer = await startMailViewer(sink, {
    host: '127.0.0.1',
    port: portFromEnv('LOCAL_MAIL_VIEWER_PORT', 8025),
  })
  running.push({ name: 'mail viewer', stop: viewer.close })
  return { url: sink.url, viewerUrl: viewer.url }
}

async function main() {
  const keys = ensureDevKeys()
  const redis = await redisUrl()
  say(`Redis ${shown(redis)}`)
  const database = await databaseUrl()
  say(`PostgreSQL ${shown(database)}`)
  // Every start: migrations are idempotent, and an external DATABASE_URL may be behind too.
  await migrateDatabase(database)
  say('migrations applied')
  const smtp = await smtpUrl()
  say(`SMTP ${shown(smtp.url)}${smtp.viewerUrl ? ` (sent e-mails: ${smtp.viewerUrl})` : ''}`)

  const env = {
    REDIS_URL: redis,
    DATABASE_URL: database,
    SMTP_URL: smtp.url,
    JWT_PUBLIC_KEY_FILE: keys.publicKeyFile,
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  }
  for (const app of localApps) {
    if (shuttingDown) return
    watch(await startApp(app, env))
  }
  if (shuttingDown) return

  const lines = [
    '',
    `  ${'Shop'.padEnd(12)} ${gatewayUrl}   (open it: find a book, fill the cart, watch it follow in a second window)`,
    `  ${'API'.padEnd(12)} ${gatewayUrl}/api/...   (every app's routes under /api; live cart: ${gatewayUrl.replace('http', 'ws')}/ws)`,
    `  ${'Admin tools'.padEnd(12)} ${gatewayUrl}/api/docs (Swagger UI), ${gatewayUrl}/admin/queues (Bull Board): admin role`,
    '',
    '  Each app on its own port, for debugging:',
    ...localApps
      .filter((app) => app.name !== 'gateway')
      .map((app) => `  ${app.name.padEnd(12)} ${appUrl(app)}   (OpenAPI: ${appUrl(app)}/openapi.json)`),
    `  ${'Redis'.padEnd(12)} ${shown(redis)}`,
    `  ${'PostgreSQL'.padEnd(12)} ${shown(database)}`,
    `  ${'SMTP'.padEnd(12)} ${shown(smtp.url)}`,
    ...(smtp.viewerUrl
      ? [`  ${'E-mails'.padEnd(12)} ${smtp.viewerUrl}   (every e-mail the stack sent)`]
      : []),
    '',
    '  Get a token:  TOKEN=$(pnpm -s dev-token --sub alice)      (--role admin, --ttl 3600)',
  ]
  lines.push(
    `  Or sign up:   POST ${gatewayUrl}/api/auth/register, then /api/auth/login: accessToken (README, auth-api)`,
    `  Find books:   curl '${gatewayUrl}/api/books?q=dune&inStock=true'`,
    `  Add a book:   curl -X POST ${gatewayUrl}/api/cart/items -H "authorization: Bearer $TOKEN" \\`,
    `                  -H 'content-type: application/json' -d '{"bookId":"${sampleBookId}","quantity":2}'`,
  )
  lines.push('  Stop:         Ctrl-C', '')
  process.stdout.write(`${lines.join('\n')}\n`)
  // Exactly this line, unprefixed: scripts wait for it.
  process.stdout.write('ready: bookstore local stack is up\n')
}

main().catch((error: unknown) => {
  if (shuttingDown) return
  const message =
    error instanceof StackError ? error.message : error instanceof Error ? error.stack : String(error)
  process.stderr.write(`stack | ${message}\n`)
  void shutdown(1)
})
