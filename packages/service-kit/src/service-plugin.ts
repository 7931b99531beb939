import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { errorHandlerPlugin } from './error-handler'
import type { ErrorStatuses } from './error-statuses'
import { healthPlugin } from './health-plugin'
import { metricsPlugin } from './metrics-plugin'
import { openApiPlugin } from './openapi-plugin'

export interface ServicePluginOptions {
  serviceName: string
  description: string
  /** The app's code-to-status table for its domain errors (declared once, at its edge). */
  errorStatuses?: ErrorStatuses
}

/** What every app has before its own routes: errors, health, metrics, OpenAPI, request ids. */
export const servicePlugin = fp(
  async (app: FastifyInstance, options: ServicePluginOptions) => {
    await app.register(errorHandlerPlugin, { statuses: options.errorStatuses })
    await app.register(openApiPlugin, { title: options.serviceName, description: options.description })
    await app.register(healthPlugin)
    await app.register(metricsPlugin, { serviceName: options.serviceName })
    // JSON APIs: a text body is refused with 415 instead of failing validation as a string.
    app.removeContentTypeParser('text/plain')
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id)
    })
  },
  { name: 'service-kit' },
)
