import { type RedisClient, RedisScript } from './redis-script'

/** scripts/sorted-set-prune.lua: named members leave a sorted set, if their score is at most a bound. */
export const sortedSetPruneScript = RedisScript.fromFile('sorted-set-prune.lua', 1)

/** KEYS[1], ARGV[1], then ARGV[2..] the members. */
type PruneKeys = [sortedSet: string]
type PruneArgv = [maxScore: number, ...members: string[]]

export const sortedSetPruneCall = (key: string, maxScore: number, members: readonly string[]) => {
  const keys: PruneKeys = [key]
  const argv: PruneArgv = [maxScore, ...members]
  return { keys, args: argv }
}

/** Returns how many members were removed. */
export async function pruneSortedSet(
  redis: RedisClient,
  key: string,
  maxScore: number,
  members: readonly string[],
): Promise<number> {
  if (members.length === 0) return 0
  const { keys, args } = sortedSetPruneCall(key, maxScore, members)
  return Number(await sortedSetPruneScript.run(redis, keys, args))
}
