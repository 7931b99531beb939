import { type BuildOptions, fastifyOptions } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { realtimeGateway } from './app'
import type { RealtimeGatewayConfig } from './config'

/** Builds the ready-to-listen app from a validated config: used by main.ts, tests and benchmarks. */
export async function buildRealtimeGateway(config: RealtimeGatewayConfig, options: BuildOptions = {}) {
  const app = Fastify(fastifyOptions(config, options))
  await app.register(realtimeGateway, { config })
  await app.ready()
  return app
}
