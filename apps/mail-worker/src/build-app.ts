import { type BuildOptions, fastifyOptions } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { mailWorker } from './app'
import type { MailWorkerConfig } from './config'

/** Builds the ready-to-listen app from a validated config: used by main.ts and tests. */
export async function buildMailWorker(config: MailWorkerConfig, options: BuildOptions = {}) {
  const app = Fastify(fastifyOptions(config, options))
  await app.register(mailWorker, { config })
  await app.ready()
  return app
}
