import { type BuildOptions, fastifyOptions } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { cartApi } from './app'
import type { CartApiConfig } from './config'

/** Builds the ready-to-listen app from a validated config: used by main.ts, tests and benchmarks. */
export async function buildCartApi(config: CartApiConfig, options: BuildOptions = {}) {
  const app = Fastify(fastifyOptions(config, options))
  await app.register(cartApi, { config })
  await app.ready()
  return app
}
