import { type BuildOptions, fastifyOptions } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { catalogWorker } from './app'
import type { CatalogWorkerConfig } from './config'

/** Builds the ready-to-listen app from a validated config: used by main.ts, tests and benchmarks. */
export async function buildCatalogWorker(config: CatalogWorkerConfig, options: BuildOptions = {}) {
  const app = Fastify(fastifyOptions(config, options))
  await app.register(catalogWorker, { config })
  await app.ready()
  return app
}
