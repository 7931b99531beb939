/**
 * The calibration server (lib/calibration.ts) and the floor cart-api is measured against:
 *   GET /hello      Fastify alone;
 *   POST /add-item  Fastify and ONE call of the same add-item script with the same arguments as
 *                   cart-api, nothing else (no auth, no schema, no read model, no queue, no hooks,
 *                   no logger).
 * Started by bench/lib/calibration.ts in its own process with REDIS_URL and PORT.
 */
import { hydrateCart, loadCartScripts, runCartMutation } from '@bookstore/lua'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { benchBook, benchCartSettings } from './bench-settings'

interface AddItemBody {
  userId: string
  bookId: string
  quantity?: number
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  connectionName: 'cart-bench-bare',
})
await loadCartScripts(redis)

const app = Fastify({ logger: false })

app.get('/health/ready', async () => ({ status: 'ok' }))

app.get('/hello', async () => ({ hello: 'world' }))

app.post<{ Body: AddItemBody }>('/add-item', async (request, reply) => {
  const { userId, bookId, quantity = 1 } = request.body
  const add = () =>
    runCartMutation(
      redis,
      'add-item',
      {
        userId,
        now: Date.now(),
        cartTtlSeconds: benchCartSettings.cartTtlSeconds,
        idempotencyTtlSeconds: benchCartSettings.idempotencyTtlSeconds,
        rateLimit: benchCartSettings.rateLimit,
      },
      {
        bookId,
        quantity,
        book: { ...benchBook, status: 'active' },
        maxQuantityPerItem: benchCartSettings.maxQuantityPerItem,
        maxDistinctItems: benchCartSettings.maxDistinctItems,
      },
    )
  let result = await add()
  // A user's first touch creates the empty cart first, as cart-api does without a database (SPEC C5).
  if (result.outcome === 'needs-hydration') {
    await hydrateCart(redis, userId, undefined, benchCartSettings.cartTtlSeconds)
    result = await add()
  }
  if (result.outcome === 'needs-hydration') return reply.status(503).send({ code: 'CART_MISSING' })
  if (result.outcome === 'rejected')
    return reply.status(422).send({ code: result.reason, detail: result.detail })
  return reply.type('application/json; charset=utf-8').send(result.cartJson)
})

const shutdown = async () => {
  await app.close()
  await redis.quit()
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown())
process.once('SIGINT', () => void shutdown())

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
