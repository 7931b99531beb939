import type { Database } from '@bookstore/db'
import { generateTestKeys, testRedisClient } from '@bookstore/test-kit'
import { createAccessTokenSigner, readSigningKey } from '../src/domain/access-tokens'
import { type AuthSettings, createAuthService } from '../src/domain/auth-service'
import { createPasswordHasher, type PasswordHasher } from '../src/domain/passwords'
import { createRateLimiter } from '../src/domain/rate-limiter'

const generous: AuthSettings['limits'] = {
  loginPerIp: 1000,
  loginPerAccount: 1000,
  loginPerAccountAllAddresses: 1000,
  registerPerIp: 1000,
  registerPerAccount: 1000,
}

/**
 * auth-api's domain service on the test database and the test Redis, without Fastify, with a hasher
 * that counts its verifications: how many log-in attempts were evaluated, which an HTTP answer cannot
 * tell (a wrong password counted late is refused as 429 too, after its hash was checked).
 */
export async function countingAuthService(
  db: Database,
  options: { limits?: Partial<AuthSettings['limits']>; windowSeconds?: number } = {},
) {
  const real = await createPasswordHasher({ memoryKib: 19_456, timeCost: 2, parallelism: 1 })
  // Which hash each verification checked: an account's, or the dummy one of an unknown e-mail.
  const verifications = { count: 0, kinds: [] as ('account' | 'dummy')[] }
  const counted = (kind: 'account' | 'dummy') => {
    verifications.count++
    verifications.kinds.push(kind)
  }
  const hasher: PasswordHasher = {
    hash: real.hash,
    verify: (hash, password) => {
      counted('account')
      return real.verify(hash, password)
    },
    verifyNobody: (password) => {
      counted('dummy')
      return real.verifyNobody(password)
    },
  }
  const redis = testRedisClient()
  const service = createAuthService({
    db,
    hasher,
    limiter: createRateLimiter(redis, { windowSeconds: options.windowSeconds ?? 60 }),
    signAccessToken: createAccessTokenSigner({
      key: readSigningKey({ JWT_PRIVATE_KEY: generateTestKeys().privateKeyPem }),
      issuer: 'bookstore-auth',
      audience: 'bookstore',
      ttlSeconds: 60,
    }),
    settings: {
      passwordMinLength: 12,
      refreshTokenTtlSeconds: 60,
      sessionMaxAgeSeconds: 3600,
      knownAddressTtlSeconds: 60,
      limits: { ...generous, ...options.limits },
    },
  })
  return { service, verifications, close: () => redis.quit() }
}

/** The stable code of each settled outcome: 'ok' for a success, else the domain error's code. */
export const outcomeCodes = (results: PromiseSettledResult<unknown>[]) =>
  results
    .map((result) => {
      if (result.status === 'fulfilled') return 'ok'
      const reason: unknown = result.reason
      return typeof reason === 'object' && reason !== null && 'code' in reason
        ? String(reason.code)
        : 'thrown'
    })
    .sort()
