import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createRedisClient, type RedisClient } from './redis-client'

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient
  }
}

/**
 * A Redis client for a worker (one server or a Cluster, as the URL says: redis-client.ts):
 * commands wait (forever) for Redis to come back instead of failing, so a job pauses through an
 * outage rather than spending its attempts. `autoPipeline`: commands sent in one tick go in one
 * round trip (reading many carts at once).
 */
export function createPatientRedis(
  url: string,
  connectionName: string,
  options: { autoPipeline?: boolean } = {},
): RedisClient {
  return createRedisClient(url, { connectionName, patient: true, autoPipeline: options.autoPipeline })
}

/**
 * A Redis client for request handling. It fails fast instead of queueing commands while Redis is
 * away (a request should get a 503 now, not hang), and reconnects on its own in the background.
 * `autoPipeline`: the commands of concurrent requests sent in one tick go in one write (the
 * gateway's one rate-limit call per request).
 */
export function createRedis(
  url: string,
  connectionName: string,
  options: { autoPipeline?: boolean } = {},
): RedisClient {
  return createRedisClient(url, {
    connectionName,
    patient: false,
    lazyConnect: true,
    autoPipeline: options.autoPipeline,
  })
}

/** True for the errors ioredis raises while Redis cannot be reached (answered as 503, not 500). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.name === 'ClusterAllFailedError' ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|CLUSTERDOWN|Too many Cluster redirections|Cluster isn't ready/.test(
      error.message,
    )
  )
}

export async function connectRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'wait') await redis.connect()
}

export async function quitRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') return
  await redis.quit().catch(() => redis.disconnect())
}

export const redisPlugin = fp(
  async (app: FastifyInstance, options: { url: string; connectionName: string; autoPipeline?: boolean }) => {
    const redis = createRedis(options.url, options.connectionName, { autoPipeline: options.autoPipeline })
    redis.on('error', (error) => app.log.warn({ err: error }, 'redis connection error'))
    await connectRedis(redis)
    app.decorate<RedisClient>('redis', redis)
    app.addHook('onClose', () => quitRedis(redis))
  },
  { name: 'redis' },
)
