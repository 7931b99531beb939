import { createHash } from 'node:crypto'
import type { RedisClient } from '@bookstore/service-kit'
import { authErrors } from './auth-errors'

export interface RateLimit {
  /** Names the counter, e.g. `login:ip`. */
  scope: string
  /** The IP address or e-mail being limited; hashed into the key (no addresses in Redis keys). */
  subject: string
  limit: number
}

/**
 * Fixed-window counters in Redis, so a limit holds across every auth-api instance (SPEC A2).
 * Each counter is one key (its own hash tag, Redis Cluster safe); INCR and the expiry set only
 * by the first hit of a window (PEXPIRE NX) run in one MULTI, so a crash never leaves a counter
 * without expiry.
 */
export function createRateLimiter(redis: RedisClient, options: { windowSeconds: number }) {
  const windowMs = options.windowSeconds * 1000
  const digest = (subject: string) => createHash('sha256').update(subject).digest('base64url').slice(0, 22)
  const keyOf = ({ scope, subject }: RateLimit) => `auth:rl:{${scope}:${digest(subject)}}`

  const knownKeyOf = (subject: string) => `auth:known:{${digest(subject)}}`

  const refuse = (ttlMs: number) => authErrors.rateLimited(Math.max(1, Math.ceil(ttlMs / 1000)))

  return {
    /**
     * Counts one attempt, then decides on the count it got back: throws RATE_LIMITED once the window
     * holds more than `limit`. Counting first is what makes it hold under concurrency (a check
     * before a later count lets every parallel attempt through).
     */
    async hit(limit: RateLimit): Promise<void> {
      const refusal = await this.count(limit)
      if (refusal) throw refusal
    },
    /** Counts one attempt like `hit`, but hands back the refusal (undefined: within the limit). */
    async count(limit: RateLimit) {
      const key = keyOf(limit)
      const results = await redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec()
      const count = Number(results?.[0]?.[1] ?? 0)
      const ttlMs = Number(results?.[2]?.[1] ?? windowMs)
      return count > limit.limit ? refuse(ttlMs) : undefined
    },
    async reset(limit: RateLimit): Promise<void> {
      await redis.del(keyOf(limit))
    },
    /** Marks a subject (an account and an address) as known for `ttlSeconds`: a log-in succeeded there. */
    async remember(subject: string, ttlSeconds: number): Promise<void> {
      await redis.set(knownKeyOf(subject), '1', 'EX', ttlSeconds)
    },
    async knows(subject: string): Promise<boolean> {
      return (await redis.exists(knownKeyOf(subject))) === 1
    },
  }
}
export type RateLimiter = ReturnType<typeof createRateLimiter>
