import { randomUUID } from 'node:crypto'
import { AjvCompiler, type ValidatorFactory } from '@fastify/ajv-compiler'
import type { FastifyServerOptions } from 'fastify'
import {
  gatedServerFactory,
  type LoadSheddingConfig,
  loadSheddingOf,
  type ServerTimeoutConfig,
} from './load-shedding'
import { serializeError } from './log-serializers'

/** What a build function takes besides the validated config. */
export interface BuildOptions {
  /** Where the JSON log lines go instead of stdout (a test reads alert lines from it). */
  logStream?: { write(line: string): void }
}

/**
 * The Fastify options every app boots with: JSON logs (pino) with a request id taken from
 * X-Request-Id or made up, credentials and the values of failed queries never logged, and unknown
 * body fields rejected rather than silently dropped. Query strings and path parameters are text, so their numbers and booleans
 * are parsed from it; a JSON body says its own types, so `"2"`, `"0x10"`, `true` or `[2]` for a
 * number (or `["x"]` for a string) is refused there instead of coerced. Requests pass the load
 * gate (load-shedding.ts) on the HTTP server before Fastify sees them; that server holds the
 * slow-client timeouts.
 */
export function fastifyOptions(
  config: LoadSheddingConfig & ServerTimeoutConfig & { LOG_LEVEL: string },
  options: BuildOptions = {},
): FastifyServerOptions {
  return {
    serverFactory: gatedServerFactory(loadSheddingOf(config), config),
    logger: {
      level: config.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      // A failed query's error carries the query's values (e-mails, password hashes): never logged.
      serializers: { err: serializeError },
      ...(options.logStream && { stream: options.logStream }),
    },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    schemaController: {
      compilersFactory: { buildValidator: strictBodyValidator as unknown as ValidatorFactory },
    },
  }
}

/**
 * @fastify/ajv-compiler's pool as it runs: its types describe the compiler it returns as Ajv's
 * `compile(schema)`, but Fastify calls it with the route definition (schema, method, url, httpPart).
 */
type RouteValidatorCompiler = (route: {
  schema: unknown
  method: string
  url: string
  httpPart?: string
}) => unknown
type ValidatorPool = (
  externalSchemas: Record<string, unknown>,
  options: { customOptions?: Record<string, unknown> } | undefined,
) => RouteValidatorCompiler
const validatorPool = AjvCompiler() as unknown as ValidatorPool

/** Fastify's Ajv compiler, twice: one without type coercion for bodies, the configured one for the rest. */
const strictBodyValidator: ValidatorPool = (externalSchemas, ajvOptions) => {
  const coercing = validatorPool(externalSchemas, ajvOptions)
  const strict = validatorPool(externalSchemas, {
    ...ajvOptions,
    customOptions: { ...ajvOptions?.customOptions, coerceTypes: false },
  })
  return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route))
}
