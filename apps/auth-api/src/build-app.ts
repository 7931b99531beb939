import { type BuildOptions, fastifyOptions, trustedProxies } from '@bookstore/service-kit'
import Fastify from 'fastify'
import { authApi } from './app'
import type { AuthApiConfig } from './config'

/** Builds the ready-to-listen app from a validated config: used by main.ts and tests. */
export async function buildAuthApi(config: AuthApiConfig, options: BuildOptions = {}) {
  const trustProxy = trustedProxies(config.TRUST_PROXY)
  const app = Fastify({ ...fastifyOptions(config, options), ...(trustProxy ? { trustProxy } : {}) })
  await app.register(authApi, { config })
  await app.ready()
  return app
}
