import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { devPrivateKeyFile } from './dev-keys'
import { repoRoot } from './paths'
import { type ServiceProcess, startServiceProcess } from './service-process'
import { StackError } from './stack-error'
import { webShopOrigins } from './web-shop'

export interface LocalApp {
  /** The folder under apps/, also the prefix of its log lines. */
  name: string
  port: number
  /** Settings only this app gets (e.g. auth-api's signing key: no other app should hold it). */
  env?: Record<string, string>
}

/** Every app the local stack runs, started in this order: adding an app is one entry here. */
export const localApps: LocalApp[] = [
  { name: 'cart-api', port: 3001 },
  // Writes every cart change into PostgreSQL (PGlite here: one statement at a time, so a small pool).
  { name: 'persistence-worker', port: 3005, env: { DATABASE_POOL_SIZE: '2' } },
  // The shop's pages (served on WEB_SHOP_PORT, below) open sockets from their own origin.
  { name: 'realtime-gateway', port: 3002, env: { ALLOWED_ORIGINS: webShopOrigins.join(',') } },
  {
    name: 'auth-api',
    port: 3003,
    // The refresh cookie's path as the shop's browser sees it (`/api/auth` is stripped on the way).
    env: { JWT_PRIVATE_KEY_FILE: devPrivateKeyFile, REFRESH_COOKIE_PATH: '/api/auth/auth/session' },
  },
  // Loads the sample catalog into an empty database and writes every book's read model on start.
  { name: 'book-api', port: 3007, env: { SEED_CATALOG: 'true' } },
  { name: 'catalog-worker', port: 3008 },
  // Sends the e-mails (to the stack's SMTP sink unless SMTP_URL is set).
  { name: 'mail-worker', port: 3010 },
  // Reconciliation, daily re-sync, abandoned-cart reminders, dead-letter watch (SPEC P6, S1-S3).
  { name: 'scheduler', port: 3009 },
]

export const appUrl = (app: LocalApp) => `http://127.0.0.1:${app.port}`

async function answersReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}

/** Runs the built app (as in production: plain node, dist/) and waits until /health/ready says 200. */
export async function startApp(app: LocalApp, env: Record<string, string>): Promise<ServiceProcess> {
  const dir = join(repoRoot, 'apps', app.name)
  const entry = join(dir, 'dist', 'main.js')
  if (!existsSync(entry)) throw new StackError(`${entry} is missing: build it with pnpm build`)
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    ...app.env,
    PORT: String(app.port),
    HOST: '127.0.0.1',
  }
  // A PEM in the environment would win over the dev key file and reject every dev token.
  delete childEnv.JWT_PUBLIC_KEY
  delete childEnv.JWT_PRIVATE_KEY
  const service = startServiceProcess(app.name, process.execPath, [entry], { cwd: dir, env: childEnv })
  const readyUrl = `${appUrl(app)}/health/ready`
  const deadline = Date.now() + 30_000
  while (!(await answersReady(readyUrl))) {
    if (service.hasExited())
      throw new StackError(`${app.name} exited before it was ready (see its log above)`)
    if (Date.now() > deadline) {
      await service.stop()
      throw new StackError(`${app.name} did not answer 200 on ${readyUrl} within 30 s`)
    }
    await sleep(200)
  }
  return service
}
