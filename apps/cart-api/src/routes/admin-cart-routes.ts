import { Cart } from '@bookstore/events'
import { errorResponses } from '@bookstore/service-kit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { UserParams } from './schemas'

/** Admins can read any shopper's cart (SPEC C6); they cannot change it. */
export async function adminCartRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  routes.addHook('preHandler', app.requireAdmin)

  routes.get(
    '/admin/carts/:userId',
    {
      schema: {
        summary: "Read a shopper's cart",
        tags: ['admin'],
        security: [{ bearerAuth: [] }],
        params: UserParams,
        response: { 200: Cart, ...errorResponses(400, 401, 403, 503) },
      },
    },
    (request) => app.carts.getCart(request.params.userId),
  )
}
