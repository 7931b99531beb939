import { type Static, type TObject, type TProperties, Type } from 'typebox'
import { Check, Convert, Default, Errors } from 'typebox/value'
import { redisUrlPattern } from './redis-client'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** One line per bad variable, checked one by one so that none hides behind another. */
function describeProblems(schema: TObject, config: Record<string, unknown>): string {
  const required = new Set(schema.required ?? [])
  const lines: string[] = []
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = config[name]
    if (value === undefined) {
      if (required.has(name)) lines.push(`  ${name}: is required`)
      continue
    }
    // Never the value itself: a bad DATABASE_URL or key still holds its secret (it goes to stderr).
    const given = typeof value === 'string' ? `${value.length} characters` : typeof value
    if (Check(property, value)) continue
    const choices =
      'anyOf' in property ? (property.anyOf as { const?: unknown }[]).map((choice) => choice.const) : []
    const reason = choices.length
      ? `must be one of ${choices.join(', ')}`
      : (Errors(property, value)[0]?.message ?? 'is not valid')
    lines.push(`  ${name}: ${reason} (got ${given})`)
  }
  return lines.join('\n')
}

/**
 * Validates the environment against a schema once, at boot. Values are converted ("3000" -> 3000)
 * and defaults applied; anything wrong stops the process with one message naming every bad variable.
 */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
) {
  const picked: Record<string, unknown> = {}
  for (const name of Object.keys(schema.properties)) {
    const value = env[name]
    if (value !== undefined && value !== '') picked[name] = value
  }
  const value = Convert(schema, Default(schema, picked))
  if (!Check(schema, value))
    throw new ConfigError(
      `Invalid configuration:\n${describeProblems(schema, value as Record<string, unknown>)}`,
    )
  return value as Static<T>
}

/** Settings every service shares. Spread into an app's own schema. */
export const baseConfigProperties = {
  HOST: Type.String({ default: '127.0.0.1' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /** One server (`redis://`, `rediss://`) or a Redis Cluster (`redis-cluster://host:port,host:port`). */
  REDIS_URL: Type.String({ pattern: redisUrlPattern, default: 'redis://127.0.0.1:6379' }),
  /** Load shedding (load-shedding.ts): requests one instance works on at once (0: no bound). */
  MAX_IN_FLIGHT: Type.Integer({ minimum: 0, maximum: 100_000, default: 256 }),
  /** Load shedding: requests that wait for one of those places; past them a request gets 503 at once. */
  MAX_QUEUED: Type.Integer({ minimum: 0, maximum: 100_000, default: 256 }),
  /**
   * Slow clients (fastify's own timeouts do not reach a server made by serverFactory): the request
   * line and headers must arrive within this, or the connection gets 408 and is closed.
   */
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  /** Slow clients: the whole request, body included, must arrive within this (not the answer). */
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  /** An idle kept-alive connection is closed after this (Node's 5 s; the gateway's pool reuses them). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000 }),
  /** Load shedding: the event-loop delay (two samples in a row) above which new requests get 503 (0: never). */
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 500 }),
} satisfies TProperties

const proxyEntry = '(?:loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(?:/[0-9]{1,3})?)'

/**
 * TRUST_PROXY of an app behind proxies: the comma-separated addresses or CIDRs (or proxy-addr's
 * names loopback, linklocal, uniquelocal) whose X-Forwarded-For is believed; `false` trusts none,
 * as unset does. Anything else is refused at boot with the variable named: Fastify would throw on it
 * while starting (`false` used to reach it as the address list ['false'], a crash loop).
 */
export const trustProxyProperty = Type.Optional(
  Type.String({ pattern: `^\\s*(?:false|${proxyEntry}(?:\\s*,\\s*${proxyEntry})*)\\s*$` }),
)

/** The proxies a TRUST_PROXY value names, for Fastify's `trustProxy`; undefined when it trusts none. */
export function trustedProxies(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === 'false') return undefined
  return value.split(',').map((entry) => entry.trim())
}

export const authConfigProperties = {
  /**
   * Access-token public keys (PEM, SPKI; several blocks during a key rotation), inline or in a
   * file, and/or a JWKS file; all that are set are accepted, each under its key id (`kid`).
   */
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_JWKS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_ISSUER: Type.String({ default: 'bookstore-auth' }),
  JWT_AUDIENCE: Type.String({ default: 'bookstore' }),
} satisfies TProperties

/** Settings of every app that runs BullMQ workers. */
export const workerConfigProperties = {
  /** How long a job of a dead worker waits before another worker takes it over (BullMQ lock). */
  STALLED_JOB_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 600_000, default: 30_000 }),
  /** How often a worker with a DLQ parks the jobs that failed for good without being parked. */
  DEAD_LETTER_SWEEP_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
} satisfies TProperties

/** For main.ts: a bad configuration ends the process with its message, not a stack trace (SPEC E5). */
export function configOrExit<T>(load: () => T): T {
  try {
    return load()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}
