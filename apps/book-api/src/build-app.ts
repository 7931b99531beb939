import { type BuildOptions, fastifyOptions } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { bookApi } from './app'
import type { BookApiConfig } from './config'

/** Builds the ready-to-listen app from a validated config: used by main.ts, tests and benchmarks. */
export async function buildBookApi(config: BookApiConfig, options: BuildOptions = {}) {
  const app = Fastify(fastifyOptions(config, options))
  await app.register(bookApi, { config })
  await app.ready()
  return app
}
