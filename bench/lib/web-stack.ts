/**
 * The whole shop behind its gateway, started exactly as the e2e run starts it: the e2e suite's own
 * stack script (apps/web/e2e/stack/e2e-stack.ts: a private Redis, a fresh PostgreSQL database, every
 * app from its build, the gateway serving apps/web/dist) in a child process on a free port, stopped
 * with SIGTERM as Playwright stops it (the script then stops its apps and drops its data).
 */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '@bookstore/test-kit'
import { onCleanUp } from './cleanup'
import { rootDir } from './processes'

export interface WebStack {
  /** The shop's origin (the gateway), e.g. http://127.0.0.1:41234. */
  url: string
  stop: () => Promise<void>
}

const webDir = `${rootDir}apps/web`

export async function startWebStack(): Promise<WebStack> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'e2e/stack/e2e-stack.ts'],
    {
      cwd: webDir,
      // A hundred timed changes of one cart in a few seconds: the shopper rate limit is lifted.
      env: { ...process.env, E2E_WEB_PORT: String(port), E2E_CART_MUTATIONS_PER_WINDOW: '0' },
      // Its output goes to stderr, so that the benchmark's JSON line stays the last line of stdout.
      stdio: ['ignore', 2, 2],
    },
  )
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      // The stack stops its apps one by one; as long as Playwright's gracefulShutdown allows, then more.
      const kill = setTimeout(() => child.kill('SIGKILL'), 40_000)
      child.once('exit', () => {
        clearTimeout(kill)
        resolve()
      })
      child.kill('SIGTERM')
    })
    return stopped
  }
  onCleanUp('web stack', stop)

  // As playwright.config.ts' webServer: ready when the shop's page answers.
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the e2e stack exited (${child.exitCode ?? child.signalCode}) before it was ready`)
    try {
      if ((await fetch(url)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the e2e stack was not ready after 180 s')
    await sleep(250)
  }
  return { url, stop }
}
