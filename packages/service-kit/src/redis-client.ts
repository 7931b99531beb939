import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'

/** A connection to the carts' (or the queues') Redis: one server, or a Redis Cluster. */
export type RedisClient = Redis | Cluster

/**
 * What `REDIS_URL` may hold: `redis://` or `rediss://` (one server), or
 * `redis-cluster://host:port,host:port,...` (the seed nodes of a Redis Cluster; any of its nodes
 * will do, the client learns the others and the slot map from them).
 */
export const redisUrlPattern = '^(rediss?://.+|redis-cluster://[^,/:]+:[0-9]+(,[^,/:]+:[0-9]+)*)$'

export interface ClusterNode {
  host: string
  port: number
}

/** The seed nodes of a `redis-cluster://` URL, or undefined for a one-server URL. */
export function clusterNodesOf(url: string): ClusterNode[] | undefined {
  if (!url.startsWith('redis-cluster://')) return undefined
  return url
    .slice('redis-cluster://'.length)
    .split(',')
    .map((hostPort) => {
      const at = hostPort.lastIndexOf(':')
      return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) }
    })
}

export const isRedisClusterUrl = (url: string) => url.startsWith('redis-cluster://')

export const isCluster = (redis: RedisClient): redis is Cluster => redis.isCluster

/** The masters of a Cluster (each holds its own keys, scripts and SCAN cursor), or the one server. */
export function masterNodes(redis: RedisClient): Redis[] {
  return isCluster(redis) ? redis.nodes('master') : [redis]
}

export interface RedisClientOptions {
  connectionName: string
  /** Commands wait (forever) for Redis to come back instead of failing (a worker's connection). */
  patient: boolean
  lazyConnect?: boolean
  autoPipeline?: boolean
  /** Cluster only: SSUBSCRIBE through one subscriber connection per master (sharded Pub/Sub). */
  shardedSubscribers?: boolean
}

/**
 * The one place a Redis connection is made. For a `redis-cluster://` URL it is an ioredis
 * Cluster: it follows MOVED/ASK redirections (a slot migration), retries a command through a
 * failover (CLUSTERDOWN, a closed connection to a dead master: the slot map is refreshed and the
 * command sent to the promoted replica) and reads from masters only (a replica may lag).
 */
export function createRedisClient(url: string, options: RedisClientOptions): RedisClient {
  const nodeOptions: RedisOptions = options.patient
    ? { connectionName: options.connectionName, maxRetriesPerRequest: null }
    : { connectionName: options.connectionName, maxRetriesPerRequest: 1 }
  const nodes = clusterNodesOf(url)
  if (!nodes) {
    return new Redis(url, {
      ...nodeOptions,
      lazyConnect: options.lazyConnect ?? false,
      enableOfflineQueue: options.patient,
      enableAutoPipelining: options.autoPipeline ?? false,
    })
  }
  const clusterOptions: ClusterOptions = {
    redisOptions: nodeOptions,
    lazyConnect: options.lazyConnect ?? false,
    enableOfflineQueue: options.patient,
    enableAutoPipelining: options.autoPipeline ?? false,
    shardedSubscribers: options.shardedSubscribers ?? false,
    scaleReads: 'master',
    // A failover takes a few seconds (cluster-node-timeout, then the replica's election): a
    // command retries through it, every 200 ms, patient ones for about a minute.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
    maxRedirections: options.patient ? 300 : 50,
    slotsRefreshTimeout: 2000,
  }
  return new Cluster(nodes, clusterOptions)
}

/** The connection name given to createRedisClient (for log lines). */
export function connectionNameOf(redis: RedisClient): string | undefined {
  return isCluster(redis) ? redis.options.redisOptions?.connectionName : redis.options.connectionName
}
