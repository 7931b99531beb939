import { type PrivateRedis, redisAnswers, startPrivateRedis } from './private-redis'
import { localRedisUrl } from './redis-url'

/**
 * Vitest global setup: tests talk to the Redis in REDIS_URL, else the local one on 6379, else a
 * private redis-server started from PATH for the run.
 */
export default async function setup() {
  let privateRedis: PrivateRedis | undefined
  if (!process.env.REDIS_URL) {
    if (await redisAnswers(localRedisUrl)) process.env.REDIS_URL = localRedisUrl
    else {
      privateRedis = await startPrivateRedis()
      process.env.REDIS_URL = privateRedis.url
    }
  } else if (!(await redisAnswers(process.env.REDIS_URL))) {
    throw new Error(`REDIS_URL=${process.env.REDIS_URL} does not answer`)
  }
  return async () => {
    await privateRedis?.stop()
  }
}
