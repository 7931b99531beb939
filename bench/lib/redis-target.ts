/** The Redis a benchmark runs against, and removing what it wrote there. */
import { type PrivateRedis, redisAnswers, startPrivateRedis } from '@bookstore/test-kit'
import type { Redis } from 'ioredis'
import { onCleanUp } from './cleanup'

/**
 * REDIS_URL if set (it must answer), else the local Redis, else a private redis-server (stopped at
 * clean-up).
 */
export async function chooseRedis(): Promise<string> {
  const fromEnv = process.env.REDIS_URL
  if (fromEnv) {
    if (!(await redisAnswers(fromEnv))) throw new Error(`REDIS_URL=${fromEnv} does not answer`)
    return fromEnv
  }
  const local = 'redis://127.0.0.1:6379'
  if (await redisAnswers(local)) return local
  const privateRedis: PrivateRedis = await startPrivateRedis()
  onCleanUp('private redis-server', () => privateRedis.stop())
  return privateRedis.url
}

/** Deletes (UNLINK) every key matching the SCAN pattern; returns how many were deleted. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) deleted += await redis.unlink(...keys)
  } while (cursor !== '0')
  return deleted
}

/**
 * At clean-up, deletes everything a benchmark run wrote: every key of the run carries its run id
 * (user and book ids, queue prefix, book -> carts index), so one pattern finds carts, books,
 * indexes and BullMQ queues alike.
 */
export function cleanUpRunKeys(redis: Redis, runId: string): void {
  onCleanUp('bench keys', async () => {
    const deleted = await deleteKeys(redis, `*${runId}*`)
    console.log(`cleaned up: ${deleted} keys deleted`)
  })
}
