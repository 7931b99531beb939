import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { freePort } from '../private-redis'
import { waitUntilReady } from '../ready-check'
import type { Env, LogLine } from './app-entry'
import { type AppName, appDir } from './app-registry'

export interface AppProcess {
  kind: 'process'
  name: AppName
  url: string
  env: Env
  pid: number
  /** SIGKILL by default: a crash, no shutdown hook runs. Resolves once the process is gone. */
  kill: (signal?: NodeJS.Signals) => Promise<void>
  /** A graceful stop (SIGTERM). */
  close: () => Promise<void>
}

const definedOnly = (env: Env) =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))

/**
 * The app as a real process, its TypeScript main run as `pnpm dev` runs it, on a free port, ready
 * (GET /health/ready 200) when this resolves: a test can SIGKILL it where it hurts. Its stderr is
 * the test's; `logs` collects its JSON log lines.
 */
export async function spawnApp(
  name: AppName,
  env: Env,
  options: { logs?: LogLine[] } = {},
): Promise<AppProcess> {
  const port = await freePort()
  // The test run's own DATABASE_URL names the server tests create databases on, not an app's database.
  const { DATABASE_URL: _adminDatabase, ...inherited } = process.env
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
    cwd: appDir(name),
    env: { ...inherited, ...definedOnly(env), HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', options.logs ? 'pipe' : 'ignore', 'inherit'],
  })
  const { logs } = options
  if (logs && child.stdout)
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{')) logs.push(JSON.parse(line) as LogLine)
    })
  let failed = false
  const gone = () => failed || child.exitCode !== null || child.signalCode !== null
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    // Not started at all (no exit follows).
    child.once('error', () => {
      failed = true
      resolve()
    })
  })
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!gone()) child.kill(signal)
    await exited
  }
  const url = `http://127.0.0.1:${port}`
  try {
    await waitUntilReady(`${url}/health/ready`, { what: `${name} (process)`, exited: gone })
  } catch (error) {
    await kill()
    throw error
  }
  if (child.pid === undefined) throw new Error(`${name} has no pid`)
  return { kind: 'process', name, url, env, pid: child.pid, kill, close: () => kill('SIGTERM') }
}
