import { pathToFileURL } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { type AppName, appDir, entryExports } from './app-registry'

/** Settings as an app reads them from its environment (unset: undefined). */
export type Env = Record<string, string | undefined>

/** One parsed JSON log line of an app (pino). */
export type LogLine = Record<string, unknown> & { level: number; msg?: string }

/** What a build function takes besides the config (service-kit's BuildOptions). */
export interface EntryBuildOptions {
  logStream?: { write(line: string): void }
}

/**
 * The contract every app's src/index.ts meets: a config loader that validates the environment,
 * and a build function that boots the ready app from that config, as its main.ts does. The config
 * is opaque here: test-kit cannot name the apps' types without depending on the apps.
 */
export interface AppEntry {
  loadConfig: (env: Env) => Readonly<Record<string, unknown>>
  build: (config: Readonly<Record<string, unknown>>, options: EntryBuildOptions) => Promise<FastifyInstance>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

const isFastify = (value: unknown): value is FastifyInstance =>
  isRecord(value) && ['inject', 'listen', 'close'].every((method) => typeof value[method] === 'function')

/**
 * Loads an app's entry by its workspace path rather than as a package: an app listing another app
 * as a dependency is what this replaces, and test-kit depending on the apps would be a cycle (every
 * app devDepends on test-kit). Under vitest (and tsx) the TypeScript source is imported, with the
 * same `source` condition as every workspace package.
 */
export async function loadAppEntry(name: AppName): Promise<AppEntry> {
  const module: unknown = await import(pathToFileURL(`${appDir(name)}src/index.ts`).href)
  const names = entryExports(name)
  const build = isRecord(module) ? module[names.build] : undefined
  const loadConfig = isRecord(module) ? module[names.loadConfig] : undefined
  if (typeof build !== 'function' || typeof loadConfig !== 'function')
    throw new Error(`apps/${name}/src/index.ts must export ${names.build} and ${names.loadConfig}`)
  return {
    loadConfig: (env) => {
      const config: unknown = loadConfig(env)
      if (!isRecord(config)) throw new Error(`${names.loadConfig} returned no config`)
      return config
    },
    build: async (config, options) => {
      const app: unknown = await build(config, options)
      if (!isFastify(app)) throw new Error(`${names.build} returned no Fastify instance`)
      return app
    },
  }
}
