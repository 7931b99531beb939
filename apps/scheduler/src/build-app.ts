import { fastifyOptions } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { scheduler } from './app'
import type { SchedulerConfig } from './config'

/** Builds the ready-to-listen app from a validated config: used by main.ts, tests and benchmarks. */
export async function buildScheduler(config: SchedulerConfig) {
  const app = Fastify(fastifyOptions(config))
  await app.register(scheduler, { config })
  await app.ready()
  return app
}
