import { setTimeout as sleep } from 'node:timers/promises'

/** True when `url` (an app's /health/ready) answers 200 within a second. */
export async function answersReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}

/** Polls `url` until it answers 200; fails at once when `exited()` says the process is gone. */
export async function waitUntilReady(
  url: string,
  options: { what: string; exited: () => boolean; timeoutMs?: number },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  while (!(await answersReady(url))) {
    if (options.exited()) throw new Error(`${options.what} exited before it was ready`)
    if (Date.now() > deadline) throw new Error(`${options.what} did not answer 200 on ${url} in time`)
    await sleep(100)
  }
}
