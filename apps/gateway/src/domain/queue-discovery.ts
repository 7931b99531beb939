/**
 * The BullMQ queues under a prefix, read from Redis rather than listed: every queue (and
 * dead-letter queue) of every app shows in Bull Board, including ones added later, without the
 * gateway knowing any app's names. BullMQ keeps a `<prefix>:<queue>:meta` hash for each queue.
 */
export interface KeyScanner {
  scan(
    cursor: string,
    match: 'MATCH',
    pattern: string,
    count: 'COUNT',
    size: number,
  ): Promise<[string, string[]]>
}

/** `nodes`: the one Redis, or every master of a Redis Cluster (a SCAN cursor is per node). */
export async function discoverQueues(nodes: readonly KeyScanner[], prefix: string): Promise<string[]> {
  const names = new Set<string>()
  const start = `${prefix}:`
  for (const redis of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', 1000)
      for (const key of keys) {
        if (!key.startsWith(start) || !key.endsWith(':meta')) continue
        const name = key.slice(start.length, -':meta'.length)
        if (name !== '') names.add(name)
      }
      cursor = next
    } while (cursor !== '0')
  }
  return [...names].sort()
}
