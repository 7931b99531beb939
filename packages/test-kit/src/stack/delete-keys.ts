import type { Cluster, Redis } from 'ioredis'

/**
 * Deletes every key matching `pattern` (SCAN, so a shared Redis is never blocked; on a Redis
 * Cluster every master in turn, one UNLINK per key since keys of a page sit in different slots).
 */
export async function deleteKeys(redis: Redis | Cluster, pattern: string): Promise<void> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis]
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      if (keys.length === 0) continue
      if (redis.isCluster) await Promise.all(keys.map((key) => redis.unlink(key)))
      else await redis.unlink(...keys)
    } while (cursor !== '0')
  }
}
