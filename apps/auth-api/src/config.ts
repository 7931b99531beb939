import {
  authConfigProperties,
  baseConfigProperties,
  loadConfig,
  trustProxyProperty,
} from '@bookstore/service-kit'
import { type Static, Type } from 'typebox'

const seconds = (minimum: number, fallback: number) => Type.Integer({ minimum, default: fallback })

export const AuthApiConfig = Type.Object({
  ...baseConfigProperties,
  /**
   * Extra public keys /auth/me and the JWKS document accept besides the signing key's own (key
   * rotation: the previous key stays listed until its last access token has expired).
   */
  ...authConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3003 }),
  /**
   * Comma-separated addresses or CIDRs of the proxies in front (their X-Forwarded-For is believed):
   * the per-address rate limits need the client's address, not the load balancer's. `false`: none.
   */
  TRUST_PROXY: trustProxyProperty,
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  /** Small by default: the local stack's PGlite serves one connection at a time. */
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** The Ed25519 (or P-256) private key access tokens are signed with: PEM inline or in a file. */
  JWT_PRIVATE_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PRIVATE_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** The `kid` header; default: the RFC 7638 thumbprint of the public key, which verifiers derive too. */
  JWT_KEY_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  ACCESS_TOKEN_TTL_SECONDS: seconds(30, 900),
  REFRESH_TOKEN_TTL_SECONDS: seconds(60, 30 * 24 * 3600),
  /**
   * The absolute maximum age of a session (a log-in's family of refresh tokens), however often it
   * is refreshed: after it, refreshing answers SESSION_MAX_AGE_EXCEEDED and the user logs in again.
   */
  SESSION_MAX_AGE_SECONDS: seconds(60, 90 * 24 * 3600),
  PASSWORD_MIN_LENGTH: Type.Integer({ minimum: 8, maximum: 64, default: 12 }),
  /** argon2id cost (OWASP: m=19 MiB, t=2, p=1 as the floor). */
  ARGON2_MEMORY_KIB: Type.Integer({ minimum: 19_456, default: 19_456 }),
  ARGON2_TIME_COST: Type.Integer({ minimum: 2, default: 2 }),
  ARGON2_PARALLELISM: Type.Integer({ minimum: 1, maximum: 16, default: 1 }),
  /** One fixed window for every limit below; counters live in Redis, shared by all instances. */
  RATE_LIMIT_WINDOW_SECONDS: seconds(1, 15 * 60),
  /** Log-in attempts per client address per window. */
  RATE_LIMIT_LOGIN_PER_IP: Type.Integer({ minimum: 1, default: 100 }),
  /**
   * Log-in attempts at one account from one client address per window (a success clears it): who
   * guesses from an address locks out that address, never the account's owner elsewhere.
   */
  RATE_LIMIT_LOGIN_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 10 }),
  /**
   * Log-in attempts at one account from all addresses per window (guessing spread over many
   * addresses). Past it only the addresses the account logged in from before still get through.
   */
  RATE_LIMIT_LOGIN_PER_ACCOUNT_ALL_ADDRESSES: Type.Integer({ minimum: 1, default: 100 }),
  /** How long a successful log-in makes its address a known one for that account. */
  LOGIN_KNOWN_ADDRESS_TTL_SECONDS: seconds(60, 90 * 24 * 3600),
  /** Registrations per client address per window. */
  RATE_LIMIT_REGISTER_PER_IP: Type.Integer({ minimum: 1, default: 20 }),
  /** Registration attempts per e-mail address per window. */
  RATE_LIMIT_REGISTER_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 5 }),
  /**
   * Cookie mode (the web shop, `/auth/session...`): the path the refresh-token cookie is scoped to,
   * as the browser sees it. Behind the gateway, which strips `/api/auth`, that is
   * `/api/auth/auth/session`; the browser then sends the cookie to the refresh and log-out routes only.
   */
  REFRESH_COOKIE_PATH: Type.String({ pattern: '^/[^;,\\s]*$', maxLength: 200, default: '/auth/session' }),
  /**
   * `auto`: the cookie is Secure when the request came over https (the protocol Fastify sees: behind a
   * TLS-terminating proxy that needs TRUST_PROXY); `always` for a proxy that does not say.
   */
  REFRESH_COOKIE_SECURE: Type.Union([Type.Literal('auto'), Type.Literal('always')], { default: 'auto' }),
  /** When both are set, this admin is created on start if no account has the e-mail yet. */
  ADMIN_EMAIL: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
})
export type AuthApiConfig = Static<typeof AuthApiConfig>

export const loadAuthApiConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(AuthApiConfig, env)
