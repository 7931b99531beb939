import { randomUUID } from 'node:crypto'
import type { FastifyServerOptions } from 'fastify'

/** What a build function takes besides the validated config. */
export interface BuildOptions {
  /** Where the JSON log lines go instead of stdout (a test reads alert lines from it). */
  logStream?: { write(line: string): void }
}

/**
 * The Fastify options every app boots with: JSON logs (pino) with a request id taken from
 * X-Request-Id or made up, credentials never logged, and unknown body fields rejected rather
 * than silently dropped.
 */
export function fastifyOptions(
  config: { LOG_LEVEL: string },
  options: BuildOptions = {},
): FastifyServerOptions {
  return {
    logger: {
      level: config.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      ...(options.logStream && { stream: options.logStream }),
    },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }
}
