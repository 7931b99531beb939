import { fastifyOptions } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { mailWorker } from './app'
import type { MailWorkerConfig } from './config'

export interface BuildOptions {
  /** Where the JSON log lines go instead of stdout (tests read the alert lines from it). */
  logStream?: { write(line: string): void }
}

/** Builds the ready-to-listen app from a validated config: used by main.ts and tests. */
export async function buildMailWorker(config: MailWorkerConfig, build: BuildOptions = {}) {
  const options = fastifyOptions(config)
  if (build.logStream && typeof options.logger === 'object')
    options.logger = { ...options.logger, stream: build.logStream }
  const app = Fastify(options)
  await app.register(mailWorker, { config })
  await app.ready()
  return app
}
