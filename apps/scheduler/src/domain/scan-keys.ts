import type { Cluster, Redis } from 'ioredis'

/**
 * Every key matching `pattern`, a page (about `count` keys) at a time: SCAN, never KEYS, so Redis
 * keeps serving between pages. On Redis Cluster every master is scanned in turn (a SCAN cursor is
 * per node). A key may be seen twice (SCAN's guarantee), never missed if it lived throughout.
 */
export async function* scanKeys(redis: Redis | Cluster, pattern: string, count: number) {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis]
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count)
      cursor = next
      if (keys.length > 0) yield keys
    } while (cursor !== '0')
  }
}
