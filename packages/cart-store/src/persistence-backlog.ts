import { persistenceSpoolKey, queueNames } from '@bookstore/events'
import type { RedisClient } from '@bookstore/lua'

/** How far persistence is behind (SPEC P3, E2): what operators watch, and what the lag alert reads. */
export interface PersistenceBacklog {
  /** Jobs no worker has taken yet: waiting (and prioritized), or delayed (a retry, a database outage). */
  waiting: number
  /** Jobs a worker holds: being gathered into a batch, or written. */
  active: number
  /** Carts marked in the durable spool: commits a cart-api could not put on the queue yet. */
  spooled: number
  /** The time of the oldest change not in PostgreSQL yet, as far as these show (undefined: none). */
  oldestAt: number | undefined
}

const SAMPLE = 10

/**
 * Reads the persistence queue's BullMQ keys and the durable spool (one round trip for the
 * figures, one for the job times). A job's time is its oldest change's (cart-api sets it), so the
 * oldest change is found among the jobs at both ends of the wait list (the oldest ones, and the
 * newest, where a spool replays old changes), every active one, the first delayed ones and the
 * oldest spool mark: cheap whatever the backlog, and exact unless changes much older hide deep in
 * a long delayed set. All keys of the queue share its hash tag (one Cluster slot).
 */
export async function readPersistenceBacklog(
  redis: RedisClient,
  prefix: string,
): Promise<PersistenceBacklog> {
  const key = (part: string) => `${prefix}:${queueNames.cartPersistence}:${part}`
  const spool = persistenceSpoolKey(prefix)
  const [
    wait,
    prioritized,
    delayed,
    active,
    oldestWaiting,
    newestWaiting,
    activeIds,
    delayedIds,
    spooled,
    mark,
  ] = await Promise.all([
    redis.llen(key('wait')),
    redis.zcard(key('prioritized')),
    redis.zcard(key('delayed')),
    redis.llen(key('active')),
    redis.lrange(key('wait'), -SAMPLE, -1),
    redis.lrange(key('wait'), 0, SAMPLE - 1),
    redis.lrange(key('active'), 0, -1),
    redis.zrange(key('delayed'), '0', String(SAMPLE * 10 - 1)),
    redis.zcard(spool),
    redis.zrangebyscore(spool, '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
  ])
  const ids = [...new Set([...oldestWaiting, ...newestWaiting, ...activeIds, ...delayedIds])]
  const times = await Promise.all(ids.map((id) => redis.hget(key(id), 'timestamp')))
  const candidates = [...times.map(Number), ...(mark[1] === undefined ? [] : [Number(mark[1])])].filter(
    (time) => Number.isFinite(time) && time > 0,
  )
  return {
    waiting: wait + prioritized + delayed,
    active,
    spooled,
    oldestAt: candidates.length > 0 ? Math.min(...candidates) : undefined,
  }
}
