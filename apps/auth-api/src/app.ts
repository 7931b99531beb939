import type { KeyObject } from 'node:crypto'
import {
  authPlugin,
  databasePlugin,
  readPublicKeys,
  redisPlugin,
  servicePlugin,
  tokenVerifierFromConfig,
} from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import type { AuthApiConfig } from './config'
import { readSigningKey } from './domain/access-tokens'
import { authErrorStatuses } from './error-statuses'
import { authServicePlugin } from './plugins/auth-service'
import { authRoutes } from './routes/auth-routes'

const listsKeys = (config: AuthApiConfig) =>
  Boolean(config.JWT_PUBLIC_KEY || config.JWT_PUBLIC_KEY_FILE || config.JWT_JWKS_FILE)

/** auth-api as a plugin: tests register it exactly as main.ts does. */
export async function authApi(app: FastifyInstance, options: { config: AuthApiConfig }) {
  const { config } = options
  const signingKey = readSigningKey(config)
  // Its own key first, then any other key still accepted during a rotation.
  const publicKeys = new Map<string, KeyObject>([[signingKey.kid, signingKey.publicKey]])
  if (listsKeys(config)) for (const [kid, key] of readPublicKeys(config)) publicKeys.set(kid, key)

  // Tier 1: the service kit and external clients.
  await app.register(servicePlugin, {
    serviceName: 'auth-api',
    description: 'Accounts, log-in, rotating refresh tokens; access tokens other apps verify locally.',
    errorStatuses: authErrorStatuses,
  })
  await app.register(redisPlugin, { url: config.REDIS_URL, connectionName: 'auth-api' })
  await app.register(databasePlugin, {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: 'auth-api',
  })
  await app.register(authPlugin, { verify: tokenVerifierFromConfig(config, publicKeys) })
  // Tier 2: application services.
  await app.register(authServicePlugin, { config, signingKey })
  // Tier 3: routes.
  await app.register(authRoutes, { publicKeys, config })
}
