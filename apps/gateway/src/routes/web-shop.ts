import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { cacheControlFor, isPagePath, revalidateCaching } from '../domain/static-caching'

/** Paths that are never pages of the shop: an unknown one is a JSON 404, not index.html. */
const notShopPaths = /^\/(api|admin|ws|health|metrics|openapi\.json)(\/|$)/

/**
 * The web shop's built files at `/` (tier 3): a file when the path names one (hashed assets cached
 * for a year), else index.html for the shop's client-side routes (`/books/dune`, `/cart`).
 */
export async function webShopRoutes(app: FastifyInstance, options: { root: string }) {
  if (!existsSync(join(options.root, 'index.html')))
    throw new Error(`WEB_ROOT=${options.root} has no index.html: build the shop (pnpm build)`)
  // Encapsulated: its sendFile decorator is this plugin's alone (Bull Board brings its own).
  await app.register(fastifyStatic, {
    root: options.root,
    serve: false,
    cacheControl: false,
    dotfiles: 'ignore',
    // The shop's build writes .br and .gz beside each text file (apps/web/precompress.ts).
    preCompressed: true,
  })

  app.get('/*', { schema: { hide: true }, logLevel: 'warn' }, (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/'
    if (notShopPaths.test(path)) return reply.callNotFound()
    if (isPagePath(path)) {
      reply.header('cache-control', revalidateCaching)
      return reply.sendFile('index.html')
    }
    reply.header('cache-control', cacheControlFor(path))
    return reply.sendFile(decodeURIComponent(path.slice(1)))
  })
}
