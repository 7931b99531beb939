import { fileURLToPath } from 'node:url'

export interface AppInfo {
  /** Its folder under apps/ (and the prefix of its log lines in the local stack). */
  name: string
  /** Where the local stack runs it; a test stack gives every app a free port instead. */
  port: number
  /** It signs the access tokens (JWT_PRIVATE_KEY): no other app is given the private key. */
  signsTokens?: boolean
}

/**
 * Every app of the platform, in the order the local stack starts them. Adding an app is one line
 * here: its src/index.ts exports `build<Name>(config, options)` and `load<Name>Config(env)`
 * (<Name>: the folder name in PascalCase), its src/main.ts boots it, and it serves /health/ready.
 */
const registry = [
  { name: 'cart-api', port: 3001 },
  // Writes every cart change into PostgreSQL.
  { name: 'persistence-worker', port: 3005 },
  { name: 'realtime-gateway', port: 3002 },
  { name: 'auth-api', port: 3003, signsTokens: true },
  // The catalog, its outbox relay and the book read model.
  { name: 'book-api', port: 3007 },
  { name: 'catalog-worker', port: 3008 },
  // Sends the e-mails of the e-mail queue.
  { name: 'mail-worker', port: 3010 },
  // Reconciliation, daily re-sync, abandoned-cart reminders, dead-letter watch (SPEC P6, S1-S3).
  { name: 'scheduler', port: 3009 },
  // Checkout and orders; its saga holds stock through book-api's reservation worker.
  { name: 'order-api', port: 3011 },
  // The public entry in front of all of them: started last, printed first (docs/gateway.md).
  { name: 'gateway', port: 8080 },
] as const satisfies readonly AppInfo[]

export type AppName = (typeof registry)[number]['name']

export const platformApps: readonly (AppInfo & { name: AppName })[] = registry

export function appInfo(name: AppName): AppInfo {
  const info = platformApps.find((app) => app.name === name)
  if (!info) throw new Error(`${name} is not in the app registry`)
  return info
}

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url))

/** The app's workspace folder (apps/<name>/), absolute. */
export const appDir = (name: AppName) => `${repoRoot}apps/${name}/`

const pascalCase = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())

/** The names of the two exports every app's index has: `buildCartApi`, `loadCartApiConfig`. */
export const entryExports = (name: AppName) => ({
  build: `build${pascalCase(name)}`,
  loadConfig: `load${pascalCase(name)}Config`,
})
