import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthApiConfig } from '../config'
import { createAccessTokenSigner, type SigningKey } from '../domain/access-tokens'
import { ensureAdmin } from '../domain/admin-account'
import { type AuthService, createAuthService } from '../domain/auth-service'
import { createPasswordHasher } from '../domain/passwords'
import { createRateLimiter } from '../domain/rate-limiter'

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService
  }
}

export const authServicePlugin = fp(
  async (app: FastifyInstance, options: { config: AuthApiConfig; signingKey: SigningKey }) => {
    const { config } = options
    const auth = createAuthService({
      db: app.db,
      hasher: await createPasswordHasher({
        memoryKib: config.ARGON2_MEMORY_KIB,
        timeCost: config.ARGON2_TIME_COST,
        parallelism: config.ARGON2_PARALLELISM,
      }),
      limiter: createRateLimiter(app.redis, { windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS }),
      signAccessToken: createAccessTokenSigner({
        key: options.signingKey,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      }),
      settings: {
        passwordMinLength: config.PASSWORD_MIN_LENGTH,
        refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
        sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
        knownAddressTtlSeconds: config.LOGIN_KNOWN_ADDRESS_TTL_SECONDS,
        limits: {
          loginPerIp: config.RATE_LIMIT_LOGIN_PER_IP,
          loginPerAccount: config.RATE_LIMIT_LOGIN_PER_ACCOUNT,
          loginPerAccountAllAddresses: config.RATE_LIMIT_LOGIN_PER_ACCOUNT_ALL_ADDRESSES,
          registerPerIp: config.RATE_LIMIT_REGISTER_PER_IP,
          registerPerAccount: config.RATE_LIMIT_REGISTER_PER_ACCOUNT,
        },
      },
    })
    app.decorate('auth', auth)
    app.addReadinessCheck('redis', () => app.redis.ping())

    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
      const outcome = await ensureAdmin(app.db, auth.createAccount, {
        email: config.ADMIN_EMAIL,
        password: config.ADMIN_PASSWORD,
      })
      app.log.info({ outcome }, 'admin account from ADMIN_EMAIL')
    }
  },
  { name: 'auth-service', dependencies: ['database', 'redis', 'health'] },
)
