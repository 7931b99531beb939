/** The Redis a developer machine runs (and CI starts): tests use it unless REDIS_URL says otherwise. */
export const localRedisUrl = 'redis://127.0.0.1:6379'

/** The Redis the test run shares: REDIS_URL (the global setup sets it), else the local one. */
export const redisUrl = () => process.env.REDIS_URL ?? localRedisUrl
