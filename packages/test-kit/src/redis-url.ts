import { Cluster, Redis, type RedisOptions } from 'ioredis'

/** The Redis a developer machine runs (and CI starts): tests use it unless REDIS_URL says otherwise. */
export const localRedisUrl = 'redis://127.0.0.1:6379'

/** The Redis the test run shares: REDIS_URL (the global setup sets it), else the local one. */
export const redisUrl = () => process.env.REDIS_URL ?? localRedisUrl

/** True when the test run's Redis is a Redis Cluster (`redis-cluster://host:port,...`). */
export const onRedisCluster = (url = redisUrl()) => url.startsWith('redis-cluster://')

/** The seed nodes of a `redis-cluster://` URL. */
export function clusterSeeds(url: string): { host: string; port: number }[] {
  return url
    .slice('redis-cluster://'.length)
    .split(',')
    .map((hostPort) => {
      const at = hostPort.lastIndexOf(':')
      return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) }
    })
}

/**
 * A client of a test's Redis, for arranging and checking state: a Redis, or an ioredis Cluster
 * for a `redis-cluster://` URL (it follows MOVED/ASK and failovers like the apps' clients).
 */
export function testRedisClient(
  url = redisUrl(),
  options: RedisOptions = {},
  cluster: { shardedSubscribers?: boolean } = {},
): Redis | Cluster {
  if (!onRedisCluster(url)) return new Redis(url, options)
  return new Cluster(clusterSeeds(url), {
    redisOptions: options,
    shardedSubscribers: cluster.shardedSubscribers ?? false,
    lazyConnect: options.lazyConnect ?? false,
    scaleReads: 'master',
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    maxRedirections: 100,
  })
}

/** The masters of a Cluster (each with its own keys and SCAN cursor), or the one server. */
export const masterNodesOf = (redis: Redis | Cluster): Redis[] =>
  redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis]

/** A client for SSUBSCRIBE (on a Cluster: one subscriber connection per master, sharded Pub/Sub). */
export const testSubscriber = (url = redisUrl()) => testRedisClient(url, {}, { shardedSubscribers: true })

/** KEYS over every master (a test's few keys; never on a shared production Redis). */
export const keysOnEveryMaster = async (redis: Redis | Cluster, pattern: string) =>
  (await Promise.all(masterNodesOf(redis).map((node) => node.keys(pattern)))).flat()
