import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrateDatabase } from '@bookstore/db'
import { ensureDevKeys } from '@bookstore/local-stack/dev-keys.ts'
import { type LocalApp, startApp } from '@bookstore/local-stack/local-apps.ts'
import { startLocalRedis } from '@bookstore/local-stack/local-redis.ts'
import { startSmtpSink } from '@bookstore/smtp-sink'
import { type AppName, createTestDatabase, freePort, gatewayUpstreamsEnv } from '@bookstore/test-kit'
import { E2E_ADMIN, e2eWebPort, UNDELIVERABLE_PREFIX } from './e2e-settings'

/**
 * The real stack for the e2e run, on private ports: a private redis-server, a fresh PostgreSQL
 * database, the apps from their builds (as the local stack runs them), and the gateway in front of
 * them on the run's web port, serving the shop's built files, `/api/...` and `/ws` as in production.
 * order-api (checkout, the saga with the fake payment provider) and mail-worker (confirmation
 * e-mails, into a private SMTP sink) run too.
 * Playwright starts it as its web server and stops it with SIGTERM; everything is cleaned up then.
 */
const say = (line: string) => process.stdout.write(`e2e-stack | ${line}\n`)
const stops: Array<{ name: string; stop: () => Promise<void> }> = []
let stopping = false

async function stopAll(code: number) {
  if (stopping) return
  stopping = true
  for (let entry = stops.pop(); entry; entry = stops.pop()) {
    try {
      await entry.stop()
    } catch (error) {
      process.stderr.write(`e2e-stack | stopping ${entry.name} failed: ${String(error)}\n`)
    }
  }
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0))

async function main() {
  const webPort = e2eWebPort()
  const webOrigin = `http://127.0.0.1:${webPort}`

  const dataDir = mkdtempSync(join(tmpdir(), 'bookstore-e2e-'))
  stops.push({ name: 'data', stop: async () => rmSync(dataDir, { recursive: true, force: true }) })
  // In its own process group, like the apps: Playwright's SIGTERM to this group must not stop
  // Redis before the apps that use it (they would spend their shutdown reconnecting).
  const redis = await startLocalRedis({
    port: await freePort(),
    dir: join(dataDir, 'redis'),
    maxMemory: '256mb',
  })
  stops.push(redis.service)
  const database = await createTestDatabase()
  stops.push({ name: 'database', stop: database.drop })
  await migrateDatabase(database.url)
  const keys = ensureDevKeys(join(dataDir, 'keys'))
  const smtp = await startSmtpSink({
    host: '127.0.0.1',
    refuseRecipient: (address) => address.startsWith(UNDELIVERABLE_PREFIX),
  })
  stops.push({ name: 'SMTP sink', stop: smtp.close })
  say(`Redis ${redis.url}, PostgreSQL ${database.url}, SMTP ${smtp.url}`)

  const port = async (name: AppName, env: Record<string, string> = {}): Promise<LocalApp> => ({
    name,
    port: await freePort(),
    env,
  })
  const apps = {
    cart: await port('cart-api', {
      BOOK_CACHE_TTL_MS: '0',
      DATABASE_POOL_SIZE: '2',
      // bench:web clicks a hundred changes in a few seconds: past the shopper limit, which it lifts.
      ...(process.env.E2E_CART_MUTATIONS_PER_WINDOW && {
        CART_MUTATIONS_PER_WINDOW: process.env.E2E_CART_MUTATIONS_PER_WINDOW,
      }),
    }),
    persistence: await port('persistence-worker', { DATABASE_POOL_SIZE: '2' }),
    realtime: await port('realtime-gateway', { ALLOWED_ORIGINS: webOrigin }),
    auth: await port('auth-api', {
      JWT_PRIVATE_KEY_FILE: keys.privateKeyFile,
      DATABASE_POOL_SIZE: '2',
      // The path the browser sees through the gateway.
      REFRESH_COOKIE_PATH: '/api/auth/session',
      ADMIN_EMAIL: E2E_ADMIN.email,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      // Every browser of the run reaches auth-api from one address.
      RATE_LIMIT_LOGIN_PER_IP: '10000',
      RATE_LIMIT_REGISTER_PER_IP: '10000',
    }),
    book: await port('book-api', { SEED_CATALOG: 'true', DATABASE_POOL_SIZE: '2' }),
    catalog: await port('catalog-worker'),
    orders: await port('order-api', {
      DATABASE_POOL_SIZE: '2',
      SAGA_CONCURRENCY: '2',
      SHOP_URL: webOrigin,
      // A refused confirmation e-mail is parked after its first attempt (admin dead-letter pages).
      EMAIL_ATTEMPTS: '1',
    }),
    mail: await port('mail-worker', { SMTP_URL: smtp.url }),
  }
  const env = {
    REDIS_URL: redis.url,
    DATABASE_URL: database.url,
    JWT_PUBLIC_KEY_FILE: keys.publicKeyFile,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL || 'warn',
  }
  for (const app of Object.values(apps)) {
    if (stopping) return
    const service = await startApp(app, env)
    stops.push(service)
    say(`${app.name} on ${app.port}`)
  }

  const upstreams = gatewayUpstreamsEnv(
    Object.values(apps).map((app) => ({ name: app.name, url: `http://127.0.0.1:${app.port}` })),
  )
  const gateway: LocalApp = {
    name: 'gateway',
    port: webPort,
    env: {
      ...upstreams,
      WEB_ROOT: fileURLToPath(new URL('../../dist', import.meta.url)),
      // Every browser of the run comes from 127.0.0.1: the per-address limit would count them as one.
      RATE_LIMIT_PER_IP: '1000000',
      RATE_LIMIT_PER_USER: '1000000',
    },
  }
  if (stopping) return
  stops.push(await startApp(gateway, env))
  say(`shop (gateway) on ${webOrigin}`)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `e2e-stack | ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  void stopAll(1)
})
