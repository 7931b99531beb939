import { publicPathOf, type UpstreamName } from './route-table'

/** The part of an OpenAPI 3 document the merge reads; everything else of an app's document is dropped. */
export interface OpenApiDocument {
  openapi?: string
  info?: Record<string, unknown>
  paths?: Record<string, Record<string, unknown>>
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
  tags?: Array<{ name: string; description?: string }>
  [key: string]: unknown
}

const SCHEMA_REF = '#/components/schemas/'

/** A copy of `value` with every `$ref` to a schema renamed by `rename`. */
function renameRefs(value: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, rename))
  if (value === null || typeof value !== 'object') return value
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      key === '$ref' && typeof item === 'string' && item.startsWith(SCHEMA_REF)
        ? `${SCHEMA_REF}${rename(item.slice(SCHEMA_REF.length))}`
        : renameRefs(item, rename)
  }
  return copy
}

const operationMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

/** The gateway's own routes are the ones it tags `gateway` (its proxy routes are the apps'). */
export const GATEWAY_TAG = 'gateway'

const isGatewayRoute = (item: Record<string, unknown>) =>
  Object.values(item).some((operation) => {
    const tags = (operation as { tags?: unknown } | null)?.tags
    return Array.isArray(tags) && tags.includes(GATEWAY_TAG)
  })

/**
 * `/cart/items/{bookId}` as the app says it, under the gateway's public path, or dropped; the
 * gateway's own document (upstream undefined) keeps its own routes as they are.
 */
function publicPaths(upstream: UpstreamName | undefined, paths: Record<string, Record<string, unknown>>) {
  const result: Record<string, Record<string, unknown>> = {}
  for (const [path, item] of Object.entries(paths)) {
    const publicPath =
      upstream === undefined ? (isGatewayRoute(item) ? path : undefined) : publicPathOf(upstream, path)
    if (publicPath === undefined) continue
    const operations: Record<string, unknown> = {}
    for (const [method, operation] of Object.entries(item)) {
      if (!operationMethods.has(method) || operation === null || typeof operation !== 'object') {
        operations[method] = operation
        continue
      }
      // Tagged with its app when it has no tag, so Swagger UI groups it somewhere sensible.
      const tags = (operation as { tags?: unknown }).tags
      operations[method] =
        Array.isArray(tags) && tags.length > 0 ? operation : { ...operation, tags: [upstream ?? GATEWAY_TAG] }
    }
    result[publicPath] = operations
  }
  return result
}

/**
 * One OpenAPI document over every app's own (`/openapi.json`): each path as the public one (under
 * `/api`, per the route table), routes the gateway does not expose left out, and schemas shared by
 * name (ErrorResponse) kept once; a name two apps use for different schemas is prefixed with the app.
 */
export function mergeOpenApi(
  documents: ReadonlyArray<{ upstream: UpstreamName | undefined; document: OpenApiDocument }>,
  info: { title: string; description: string; version: string },
): OpenApiDocument {
  const schemas: Record<string, unknown> = {}
  const securitySchemes: Record<string, unknown> = {}
  const paths: Record<string, Record<string, unknown>> = {}
  const tags = new Map<string, { name: string; description?: string }>()
  for (const { upstream, document } of documents) {
    const own = document.components?.schemas ?? {}
    const renamed = new Map<string, string>()
    for (const [name, schema] of Object.entries(own)) {
      const taken = schemas[name]
      if (taken !== undefined && JSON.stringify(taken) !== JSON.stringify(schema))
        renamed.set(name, `${upstream ?? GATEWAY_TAG}.${name}`)
    }
    const rename = (name: string) => renamed.get(name) ?? name
    for (const [name, schema] of Object.entries(own)) schemas[rename(name)] = renameRefs(schema, rename)
    Object.assign(securitySchemes, document.components?.securitySchemes)
    const ownPaths = renameRefs(publicPaths(upstream, document.paths ?? {}), rename)
    Object.assign(paths, ownPaths)
    for (const tag of document.tags ?? []) tags.set(tag.name, tag)
  }
  return {
    openapi: '3.0.3',
    info,
    servers: [{ url: '/' }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { schemas, securitySchemes },
    ...(tags.size > 0 && { tags: [...tags.values()] }),
  }
}
