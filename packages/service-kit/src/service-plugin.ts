import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { kitError } from './domain-error'
import { errorHandlerPlugin } from './error-handler'
import type { ErrorStatuses } from './error-statuses'
import { healthPlugin } from './health-plugin'
import { loadSheddingPlugin } from './load-shedding'
import { metricsPlugin } from './metrics-plugin'
import { openApiPlugin } from './openapi-plugin'

export interface ServicePluginOptions {
  serviceName: string
  description: string
  /** The app's code-to-status table for its domain errors (declared once, at its edge). */
  errorStatuses?: ErrorStatuses
}

/** What every app has before its own routes: errors, health, metrics (load shedding's too), OpenAPI, request ids. */
export const servicePlugin = fp(
  async (app: FastifyInstance, options: ServicePluginOptions) => {
    await app.register(errorHandlerPlugin, { statuses: options.errorStatuses })
    await app.register(openApiPlugin, { title: options.serviceName, description: options.description })
    await app.register(healthPlugin)
    await app.register(metricsPlugin, { serviceName: options.serviceName })
    await app.register(loadSheddingPlugin)
    // JSON APIs: a text body is refused with 415 instead of failing validation as a string.
    app.removeContentTypeParser('text/plain')
    // Hooks on every request take a callback, not a promise: a gateway pays for each one per request.
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id)
      done()
    })
    app.addHook('preValidation', (request, _reply, done) => {
      // The query parser keeps a sequence it cannot decode as it was; refuse it instead.
      if (!decodesAsUtf8(request.url))
        return done(kitError('INVALID_TEXT', 'The address holds invalid UTF-8', { field: 'querystring' }))
      for (const [part, value] of [
        ['querystring', request.query],
        ['params', request.params],
        ['body', request.body],
      ] as const) {
        const field = invalidTextAt(value, part)
        if (field !== undefined)
          return done(
            kitError('INVALID_TEXT', 'Text may not hold NUL characters or invalid UTF-8', { field }),
          )
      }
      done()
    })
  },
  { name: 'service-kit' },
)

/**
 * Where a NUL or a U+FFFD (what invalid UTF-8 becomes when decoded) sits in a request's text, if
 * anywhere: refused before any schema, query or store sees it (PostgreSQL refuses NUL in text,
 * which was a 500).
 */
export function invalidTextAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string')
    return value.includes('\u0000') || value.includes('\uFFFD') ? path : undefined
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = invalidTextAt(item, `${path}/${index}`)
      if (found) return found
    }
    return undefined
  }
  // Bytes are not text (the gateway passes bodies on unparsed; the app behind it checks them).
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = invalidTextAt(key, `${path}/${key}`) ?? invalidTextAt(item, `${path}/${key}`)
      if (found) return found
    }
  }
  return undefined
}

/** Whether every percent-encoded sequence of a URL's query decodes as UTF-8. */
function decodesAsUtf8(url: string): boolean {
  const query = url.indexOf('?')
  if (query === -1) return true
  try {
    decodeURIComponent(url.slice(query + 1).replaceAll('+', ' '))
    return true
  } catch {
    return false
  }
}
