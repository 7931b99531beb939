import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'

export interface ServiceExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ServiceProcess {
  name: string
  child: ChildProcess
  /** Settles once the process has gone and its output has been printed. */
  exited: Promise<ServiceExit>
  hasExited: () => boolean
  /** SIGTERM, then SIGKILL if it has not gone after stopTimeoutMs. */
  stop: () => Promise<void>
}

const running = new Set<ChildProcess>()

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

// Children run in their own process group so that Ctrl-C reaches only start.ts, which stops them in
// order (apps before the stores they use). Should start.ts die first, it still takes them along.
process.on('exit', () => {
  for (const child of running) signalGroup(child, 'SIGTERM')
})

function prefixLines(input: Readable | null, output: Writable, prefix: string) {
  if (!input) return
  createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    output.write(`${prefix} ${line}\n`)
  })
}

export function startServiceProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stopTimeoutMs?: number } = {},
): ServiceProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let gone = false
  const exited = new Promise<ServiceExit>((resolve) => {
    const done = (exit: ServiceExit) => {
      gone = true
      running.delete(child)
      resolve(exit)
    }
    // 'close' waits for the last output lines; 'error' covers a command that could not be spawned.
    child.once('close', (code, signal) => done({ code, signal }))
    child.once('error', (error) => {
      process.stderr.write(`${name} | ${error.message}\n`)
      done({ code: null, signal: null })
    })
  })
  const prefix = `${name} |`
  prefixLines(child.stdout, process.stdout, prefix)
  prefixLines(child.stderr, process.stderr, prefix)

  const stop = async () => {
    if (gone) return
    signalGroup(child, 'SIGTERM')
    const timeout = sleep(options.stopTimeoutMs ?? 15_000).then(() => 'timeout' as const)
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      process.stderr.write(`${name} | did not stop in time, killing it\n`)
      signalGroup(child, 'SIGKILL')
      await exited
    }
  }
  return { name, child, exited, hasExited: () => gone, stop }
}
