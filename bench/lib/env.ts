/** Benchmark settings read from the environment. */

/**
 * BENCH_QUICK=1: every benchmark picks shorter defaults (durations, fewer steps and carts), for a
 * first look in a few minutes; the sizes a target names (5,000 sockets, 10,000 carts) stay.
 */
export const quick = process.env.BENCH_QUICK === '1'

/** The whole number >= 1 in environment variable `name`, or `fallback` if it is unset or empty. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number >= 1, got "${raw}"`)
  return value
}

/** The number > 0 in environment variable `name`, or `fallback` if it is unset or empty. */
export function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0, got "${raw}"`)
  return value
}
