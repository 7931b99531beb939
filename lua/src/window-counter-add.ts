import { type RedisClient, RedisScript } from './redis-script'

/** scripts/window-counter-add.lua: add to a request counter and keep its expiry, in one call. */
export const windowCounterAddScript = RedisScript.fromFile('window-counter-add.lua', 1)

/** KEYS[1], ARGV[1..2]. */
type CounterKeys = [counter: string]
type CounterArgv = [amount: number, expireAtMs: number]

export const windowCounterAddCall = (key: string, amount: number, expireAtMs: number) => {
  const keys: CounterKeys = [key]
  const argv: CounterArgv = [amount, expireAtMs]
  return { keys, args: argv }
}

/** Returns the counter's new value. */
export async function addToWindowCounter(
  redis: RedisClient,
  key: string,
  amount: number,
  expireAtMs: number,
): Promise<number> {
  const { keys, args } = windowCounterAddCall(key, amount, expireAtMs)
  return Number(await windowCounterAddScript.run(redis, keys, args))
}
