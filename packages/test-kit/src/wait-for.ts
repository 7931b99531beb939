import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls `check` until it returns a value other than undefined or false, and returns it; fails
 * naming `what` after the deadline. No sleep-and-assert: a loaded machine only makes it slower.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
