import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** Describes every route of the app as OpenAPI 3, served at GET /openapi.json (SPEC E3). */
export const openApiPlugin = fp(
  async (app: FastifyInstance, options: { title: string; description: string; version?: string }) => {
    await app.register(swagger, {
      // Shared schemas appear under their own $id (ErrorResponse), not as def-0, def-1 ...
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
      },
      openapi: {
        info: { title: options.title, description: options.description, version: options.version ?? '0.1.0' },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
    })
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
  { name: 'openapi' },
)
