import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { mergeOpenApi, type OpenApiDocument } from '../domain/openapi-merge'
import { routedUpstreams, type UpstreamName } from '../domain/route-table'

export interface ApiDocsOptions {
  cacheMs: number
  timeoutMs: number
}

const PREFIX = '/api/docs'

/** Swagger UI's own policy: its bundled script and styles, nothing from elsewhere. */
const docsPolicy =
  "default-src 'self'; base-uri 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; " +
  "script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'"

/**
 * Swagger UI at /api/docs over one OpenAPI document merged from every app's /openapi.json (each
 * path the public one), behind the admin role (tier 3). The document is fetched again once it is
 * older than OPENAPI_CACHE_MS; an app that does not answer is left out until it does.
 */
export async function apiDocsRoutes(app: FastifyInstance, options: ApiDocsOptions) {
  let merged: { at: number; document: OpenApiDocument } | undefined

  async function fetchDocument(upstream: UpstreamName): Promise<OpenApiDocument | undefined> {
    const instance = app.upstreams.pool(upstream).pick()
    if (!instance) return undefined
    try {
      const response = await fetch(`${instance.url}/openapi.json`, {
        signal: AbortSignal.timeout(options.timeoutMs),
      })
      if (!response.ok) return undefined
      return (await response.json()) as OpenApiDocument
    } catch (error) {
      app.log.warn({ err: error, upstream }, 'OpenAPI document not fetched')
      return undefined
    }
  }

  async function current(): Promise<OpenApiDocument> {
    if (merged && Date.now() - merged.at < options.cacheMs) return merged.document
    const documents = await Promise.all(
      routedUpstreams().map(async (upstream) => ({ upstream, document: await fetchDocument(upstream) })),
    )
    const own = { upstream: undefined, document: app.swagger() as OpenApiDocument }
    const document = mergeOpenApi(
      [
        own,
        ...documents.filter(
          (entry): entry is { upstream: UpstreamName; document: OpenApiDocument } =>
            entry.document !== undefined,
        ),
      ],
      {
        title: 'Bookstore API',
        description: 'Every public route of the platform, as the gateway serves it.',
        version: '0.1.0',
      },
    )
    merged = { at: Date.now(), document }
    return document
  }

  await app.register(async (docs) => {
    docs.addHook('onRequest', app.requireAdminSession)
    docs.addHook('onRequest', async (request, reply) => {
      reply.header('content-security-policy', docsPolicy)
      reply.header('cache-control', 'no-store')
      if (request.url.startsWith(`${PREFIX}/json`) || request.url.startsWith(`${PREFIX}/yaml`))
        await current()
    })
    await docs.register(swaggerUi, {
      routePrefix: PREFIX,
      transformSpecificationClone: false,
      transformSpecification: () => merged?.document ?? {},
      uiConfig: { persistAuthorization: false, displayRequestDuration: true },
    })
  })
}
