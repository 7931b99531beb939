import { createPatientRedis, masterNodes, quitRedis } from '@bookstore/service-kit'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import { discoverQueues } from '../domain/queue-discovery'

export interface QueueBoardOptions {
  redisUrl: string
  /** BullMQ's key prefix (not `prefix`: Fastify would take that for a route prefix). */
  queuePrefix: string
  /** How long the list of queues is trusted before Redis is scanned again. */
  refreshMs?: number
}

const PREFIX = '/admin/queues'

/** Bull Board's page: its own scripts and styles (inline ones included), fonts from its CDN. */
const boardPolicy =
  "default-src 'self'; base-uri 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; " +
  "script-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; " +
  "font-src 'self' data: https://fonts.gstatic.com; connect-src 'self'"

/**
 * Bull Board at /admin/queues over every queue and dead-letter queue under QUEUE_PREFIX, behind
 * the admin role (tier 3). Its queues are discovered in Redis (domain/queue-discovery.ts) when the
 * board is opened, so a queue created after the gateway started shows too.
 */
export async function queueBoardRoutes(app: FastifyInstance, options: QueueBoardOptions) {
  const connection = createPatientRedis(options.redisUrl, 'gateway-queue-board')
  connection.on('error', (error) => app.log.warn({ err: error }, 'queue board redis error'))
  const queues = new Map<string, Queue>()
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(PREFIX)
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Bookstore queues' } },
  })
  let refreshedAt = 0

  async function refresh() {
    if (Date.now() - refreshedAt < (options.refreshMs ?? 5000)) return
    refreshedAt = Date.now()
    const names = await discoverQueues(masterNodes(connection), options.queuePrefix)
    for (const name of names) {
      if (queues.has(name)) continue
      queues.set(name, new Queue(name, { connection, prefix: options.queuePrefix }))
    }
    board.replaceQueues([...queues.values()].map((queue) => new BullMQAdapter(queue)))
  }

  await app.register(async (scope) => {
    scope.addHook('onRequest', app.requireAdminSession)
    scope.addHook('onRequest', async (_request, reply) => {
      reply.header('content-security-policy', boardPolicy)
      reply.header('cache-control', 'no-store')
      await refresh()
    })
    await scope.register(serverAdapter.registerPlugin(), { prefix: PREFIX })
  })

  app.addHook('onClose', async () => {
    await Promise.all([...queues.values()].map((queue) => queue.close()))
    await quitRedis(connection)
  })
}
