import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { createDatabase, migrateDatabase } from '@bookstore/db'
import { createTestDatabase, uniqueId } from '@bookstore/test-kit'
import { buildAuthApi, loadAuthApiConfig } from '../src'

export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface KeyPair {
  privateKey: KeyObject
  privatePem: string
  publicPem: string
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return {
    privateKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

/** One migrated database per test file; every auth-api a test starts shares it. */
export async function startDatabase() {
  const database = await createTestDatabase()
  await migrateDatabase(database.url)
  const { pool, db } = createDatabase(database.url, { max: 2 })
  return {
    url: database.url,
    db,
    pool,
    async drop() {
      await pool.end()
      await database.drop()
    },
  }
}

let lastAddress = 0
/** A client address of its own, so that per-IP limits of parallel tests never meet. */
export const uniqueIp = () => {
  lastAddress += 1
  const random = Math.floor(Math.random() * 250)
  return `10.${random}.${(lastAddress >> 8) & 255}.${lastAddress & 255}`
}

export const uniqueEmail = () => `${uniqueId('shopper')}@example.com`
export const PASSWORD = 'correct horse battery staple'

/** Boots auth-api exactly as main.ts does, against a test database and the test Redis. */
export async function startAuthApi(databaseUrl: string, env: Record<string, string> = {}) {
  const keys = generateKeyPair()
  const config = loadAuthApiConfig({
    REDIS_URL: redisUrl(),
    DATABASE_URL: databaseUrl,
    JWT_PRIVATE_KEY: keys.privatePem,
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '2',
    // Every instance has its own client address (uniqueIp), so only the rate-limit tests need limits.
    RATE_LIMIT_LOGIN_PER_IP: '1000',
    RATE_LIMIT_REGISTER_PER_IP: '1000',
    ...env,
  })
  const app = await buildAuthApi(config)
  const ip = uniqueIp()
  const post = (url: string, payload: unknown, remoteAddress = ip) =>
    app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, remoteAddress })

  return {
    app,
    config,
    keys,
    ip,
    post,
    register: (email = uniqueEmail(), password = PASSWORD, from?: string) =>
      post('/auth/register', { email, password }, from),
    login: (email: string, password = PASSWORD, from?: string) =>
      post('/auth/login', { email, password }, from),
    refresh: (refreshToken: string) => post('/auth/refresh', { refreshToken }),
    logout: (refreshToken: string) => post('/auth/logout', { refreshToken }),
    /** A new account, logged in: its session (tokens) and e-mail. */
    async account(email = uniqueEmail()) {
      const registered = await post('/auth/register', { email, password: PASSWORD })
      if (registered.statusCode !== 201) throw new Error(`register: ${registered.body}`)
      const session = await post('/auth/login', { email, password: PASSWORD })
      if (session.statusCode !== 200) throw new Error(`login: ${session.body}`)
      return { email, ...(session.json() as Session) }
    },
    close: () => app.close(),
  }
}
export type TestAuthApi = Awaited<ReturnType<typeof startAuthApi>>

export interface Session {
  tokenType: 'Bearer'
  accessToken: string
  expiresIn: number
  refreshToken: string
  refreshExpiresIn: number
  user: { id: string; role: 'customer' | 'admin' }
}
