import { randomBytes } from 'node:crypto'
import { type Env, type LogLine, startStack, uniqueId } from '@bookstore/test-kit'

/**
 * A client address of its own, so that per-IP limits never meet: not those of parallel test files,
 * nor those of earlier runs, whose counters live on in the shared Redis for the whole window.
 * An IPv6 unique-local address with 56 random bits in its /64 prefix.
 */
export const uniqueIp = () => {
  const hex = randomBytes(7).toString('hex')
  return `fd${hex.slice(0, 2)}:${hex.slice(2, 6)}:${hex.slice(6, 10)}:${hex.slice(10)}::1`
}

export const uniqueEmail = () => `${uniqueId('shopper')}@example.com`
export const PASSWORD = 'correct horse battery staple'

/**
 * auth-api on a test stack of its own (so a signing key of its own), against a test database and
 * the test Redis. `logs` receives its JSON log lines (set LOG_LEVEL in `env`: silent by default).
 */
export async function startAuthApi(databaseUrl: string, env: Env = {}, options: { logs?: LogLine[] } = {}) {
  const stack = await startStack({
    apps: [
      {
        name: 'auth-api',
        env: {
          DATABASE_URL: databaseUrl,
          DATABASE_POOL_SIZE: '2',
          // Every instance has its own client address (uniqueIp), so only the rate-limit tests need limits.
          RATE_LIMIT_LOGIN_PER_IP: '1000',
          RATE_LIMIT_REGISTER_PER_IP: '1000',
          ...env,
        },
        ...(options.logs && { logs: options.logs }),
      },
    ],
  })
  const { app } = stack.instance('auth-api')
  const ip = uniqueIp()
  const post = (url: string, payload: unknown, remoteAddress = ip) =>
    app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, remoteAddress })

  return {
    ...stack,
    app,
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
