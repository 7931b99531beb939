import { type BuildOptions, fastifyOptions } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { persistenceWorker } from './app'
import type { PersistenceWorkerConfig } from './config'

/** Builds the ready-to-listen app from a validated config: used by main.ts, tests and benchmarks. */
export async function buildPersistenceWorker(config: PersistenceWorkerConfig, options: BuildOptions = {}) {
  const app = Fastify(fastifyOptions(config, options))
  await app.register(persistenceWorker, { config })
  await app.ready()
  return app
}
