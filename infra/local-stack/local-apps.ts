import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type AppName, answersReady, gatewayUpstreamsEnv, platformApps } from '@bookstore/test-kit'
import { devPrivateKeyFile } from './dev-keys'
import { repoRoot } from './paths'
import { type ServiceProcess, startServiceProcess } from './service-process'
import { StackError } from './stack-error'

export interface LocalApp {
  /** The folder under apps/, also the prefix of its log lines. */
  name: AppName
  port: number
  /** Settings only this app gets (e.g. auth-api's signing key: no other app should hold it). */
  env: Record<string, string>
}

const portOf = (name: AppName) => platformApps.find((app) => app.name === name)?.port
const localUrl = (port: number | undefined) => `http://127.0.0.1:${port}`

/** The one address of the stack: the gateway, in front of every app (the shop, /api, /ws, admin tools). */
export const gatewayUrl = localUrl(portOf('gateway'))
/** Vite's dev server (`pnpm --filter @bookstore/web dev`), which proxies to the gateway. */
const webDevServerUrl = 'http://127.0.0.1:5173'
const browserOrigins = [gatewayUrl, gatewayUrl.replace('127.0.0.1', 'localhost'), webDevServerUrl]

/** What the local stack sets for an app besides the settings every app gets. */
const localSettings: Partial<Record<AppName, Record<string, string>>> = {
  // Writes every cart change into PostgreSQL (PGlite here: one statement at a time, so a small pool).
  'persistence-worker': { DATABASE_POOL_SIZE: '2' },
  // The shop's pages open sockets from the gateway's origin (or the dev server's).
  'realtime-gateway': { ALLOWED_ORIGINS: browserOrigins.join(',') },
  // The refresh cookie's path as the shop's browser sees it; the client's address from the gateway.
  'auth-api': { REFRESH_COOKIE_PATH: '/api/auth/session', TRUST_PROXY: '127.0.0.1' },
  // Loads the sample catalog into an empty database and writes every book's read model on start.
  'book-api': { SEED_CATALOG: 'true' },
  // Confirmation e-mails link to the shop's order pages.
  'order-api': { SHOP_URL: gatewayUrl },
  // Links in e-mails lead to the shop.
  scheduler: { SHOP_URL: gatewayUrl },
  // Every app's instance on its port, and the shop's built files.
  gateway: {
    ...gatewayUpstreamsEnv(platformApps.map((app) => ({ name: app.name, url: localUrl(app.port) }))),
    WEB_ROOT: join(repoRoot, 'apps', 'web', 'dist'),
  },
}

/** Every app of the platform's registry (test-kit), started in its order: adding an app is one entry there. */
export const localApps: LocalApp[] = platformApps.map(({ name, port, signsTokens }) => ({
  name,
  port,
  env: { ...localSettings[name], ...(signsTokens && { JWT_PRIVATE_KEY_FILE: devPrivateKeyFile }) },
}))

export const appUrl = (app: LocalApp) => localUrl(app.port)

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
