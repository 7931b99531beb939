/**
 * Server processes under test: each runs in its own Node process, so that it does not share a core
 * with the load generator. BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server into
 * <dir>/<server name>.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { resolve as resolvePath } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { freePort } from '@bookstore/test-kit'
import { onCleanUp } from './cleanup'

/** The repository root: server processes start there, so their paths are relative to it. */
export const rootDir = fileURLToPath(new URL('../..', import.meta.url))

export interface Server {
  name: string
  url: string
  pid: number
  stop: () => Promise<void>
}

/** SIGTERM, then SIGKILL if the process has not exited after 15 s. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Starts `node <args>` on a free port (env PORT, on top of this process' environment and `env`)
 * and waits until GET /health/ready answers 200. The process is stopped at clean-up at the latest.
 */
export async function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<Server> {
  const port = await freePort()
  const cpuProfileDir = process.env.BENCH_CPU_PROF
  const profiling = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolvePath(cpuProfileDir, name)}`] : []
  const child = spawn(process.execPath, [...profiling, ...args], {
    cwd: rootDir,
    env: { ...process.env, ...env, PORT: String(port) },
    // The servers' output goes to stderr, so that a benchmark's JSON line stays the last line of stdout.
    stdio: ['ignore', 2, 2],
  })
  const stop = () => stopProcess(child)
  onCleanUp(name, stop)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready`)
    }
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready after 30 s`)
    await sleep(100)
  }
  if (child.pid === undefined) throw new Error(`${name} has no pid`)
  return { name, url, pid: child.pid, stop }
}
