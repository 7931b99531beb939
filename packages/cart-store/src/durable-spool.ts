import { persistenceSpoolKey } from '@bookstore/events'
import { pruneSortedSet, type RedisClient } from '@bookstore/lua'

/** One mark of the durable spool: an instance holds a commit of this cart that is not on the queue. */
export interface SpoolMark {
  member: string
  userId: string
  /** When that instance last spooled a commit of the cart (epoch ms). */
  at: number
}

const memberOf = (instance: string, userId: string) => `${instance}:${userId}`
const userOf = (member: string) => member.slice(member.indexOf(':') + 1)

/**
 * The durable half of the persistence spool (SPEC P3, P5; the key: `persistenceSpoolKey`). A
 * cart-api marks the carts whose commits wait in its in-memory spool and takes the marks out once
 * they reached the queue; persistence-worker persists the carts of marks left idle (their instance
 * died, or its queue is away for long) and takes those out. Each step is one command on one key,
 * so it runs on a Redis Cluster too; taking out never removes a mark renewed since it was read.
 */
export function durableSpool(redis: RedisClient, prefix: string) {
  const key = persistenceSpoolKey(prefix)
  return {
    /** Marks these carts as spooled by `instance` at `at` (a mark only ever moves forward). */
    async mark(instance: string, userIds: readonly string[], at: number): Promise<void> {
      if (userIds.length === 0) return
      await redis.zadd(key, 'GT', ...userIds.flatMap((userId) => [at, memberOf(instance, userId)]))
    },
    /** Takes out `instance`'s marks of these carts made at or before `upTo` (their commits are on the queue). */
    release: (instance: string, userIds: readonly string[], upTo: number) =>
      pruneSortedSet(
        redis,
        key,
        upTo,
        userIds.map((userId) => memberOf(instance, userId)),
      ),
    /** The oldest marks made at or before `before`, any instance's, at most `limit`. */
    async idleSince(before: number, limit: number): Promise<SpoolMark[]> {
      const flat = await redis.zrangebyscore(key, '-inf', before, 'WITHSCORES', 'LIMIT', 0, limit)
      const marks: SpoolMark[] = []
      for (let index = 0; index + 1 < flat.length; index += 2) {
        const member = flat[index] as string
        marks.push({ member, userId: userOf(member), at: Number(flat[index + 1]) })
      }
      return marks
    },
    /** Takes out these marks, unless renewed after `upTo`. */
    releaseMarks: (marks: readonly SpoolMark[], upTo: number) =>
      pruneSortedSet(
        redis,
        key,
        upTo,
        marks.map((mark) => mark.member),
      ),
    /** How many marks there are, and the time of the oldest (undefined: none). */
    async extent(): Promise<{ marks: number; oldestAt: number | undefined }> {
      const [marks, oldest] = await Promise.all([
        redis.zcard(key),
        redis.zrangebyscore(key, '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
      ])
      return { marks, oldestAt: oldest[1] === undefined ? undefined : Number(oldest[1]) }
    },
  }
}
export type DurableSpool = ReturnType<typeof durableSpool>
