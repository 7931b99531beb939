/** Benchmark settings read from the environment. */

/** The whole number >= 1 in environment variable `name`, or `fallback` if it is unset or empty. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number >= 1, got "${raw}"`)
  return value
}
