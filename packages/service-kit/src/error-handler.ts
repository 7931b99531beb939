import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { DomainError } from './domain-error'
import { ErrorResponse } from './error-schema'
import { type ErrorStatus, type ErrorStatuses, kitErrorStatuses } from './error-statuses'
import { isRedisUnavailable } from './redis-plugin'

/** Fastify's own client errors, renamed to codes a client can rely on. */
const fastifyClientErrors: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
}

interface ErrorBody {
  code: string
  message: string
  details?: Record<string, unknown>
}

// 5xx: never show internals to the client; the log has them.
const internalError = {
  status: 500,
  body: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' },
}

function describe(
  error: FastifyError | DomainError,
  statuses: ReadonlyMap<string, ErrorStatus>,
): { status: number; body: ErrorBody } {
  if (error instanceof DomainError) {
    // A code without a status is a bug of the app's table: a 500 like any unexpected error.
    const status = statuses.get(error.code)
    if (status === undefined) return internalError
    const body: ErrorBody = { code: error.code, message: error.message }
    if (error.details) body.details = error.details
    return { status, body }
  }
  if (error.validation) {
    const issues = error.validation.map((issue) => ({
      field: `${error.validationContext ?? ''}${issue.instancePath}`,
      message: issue.message ?? 'is invalid',
    }))
    return {
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: 'The request is not valid', details: { issues } },
    }
  }
  if (isRedisUnavailable(error)) {
    return {
      status: 503,
      body: { code: 'STORE_UNAVAILABLE', message: 'A data store is unreachable; retry soon' },
    }
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return {
      status,
      body: { code: fastifyClientErrors[error.code] ?? 'BAD_REQUEST', message: error.message },
    }
  }
  return internalError
}

export interface ErrorHandlerOptions {
  /** The app's code-to-status table; the kit's own codes are always known. */
  statuses?: ErrorStatuses | undefined
}

/** One place that maps every error to HTTP (SPEC E1): domain errors by their code. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance, options: ErrorHandlerOptions) => {
    const statuses = new Map<string, ErrorStatus>([
      ...Object.entries(kitErrorStatuses),
      ...Object.entries(options.statuses ?? {}),
    ])
    app.addSchema(ErrorResponse)
    app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
      const { status, body } = describe(error, statuses)
      // A refusal that knows when to come back says so (details.retryAfterSeconds); a 503 says 1 s.
      const retryAfter = body.details?.retryAfterSeconds
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter))
      else if (status === 503) reply.header('retry-after', '1')
      if (status >= 500) request.log.error({ err: error }, 'request failed')
      else request.log.info({ code: body.code, status }, 'request rejected')
      return reply.status(status).send({ error: body, requestId: request.id })
    })
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: { code: 'ROUTE_NOT_FOUND', message: `No route ${request.method} ${request.url}` },
        requestId: request.id,
      }),
    )
  },
  { name: 'error-handler' },
)
