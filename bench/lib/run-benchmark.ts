/**
 * One benchmark of `pnpm bench` in its own process, exactly as when it runs alone: its stdout is
 * passed on with its name in front, its last line is its report. A crash, a last line that is no
 * report or a run past the time limit (the process is stopped, its clean-up runs) is an outcome
 * without a report, never an error: the other benchmarks still run.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Benchmark } from '../benchmarks'
import { onCleanUp } from './cleanup'
import { rootDir, stopProcess } from './processes'
import { type BenchReport, parseBenchReport } from './report'

export interface Outcome {
  name: string
  seconds: number
  report?: BenchReport
  /** Why there is no report. */
  problem?: string
}

export async function runBenchmark(
  benchmark: Benchmark,
  env: Record<string, string>,
  timeLimitSec: number,
): Promise<Outcome> {
  const started = performance.now()
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', benchmark.script], {
    cwd: rootDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  onCleanUp(`benchmark ${benchmark.name}`, () => stopProcess(child))
  let lastLine = ''
  const lines = createInterface({ input: child.stdout })
  lines.on('line', (line) => {
    console.log(`${benchmark.name} | ${line}`)
    if (line.trim() !== '') lastLine = line
  })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    console.error(`${benchmark.name}: still running after ${timeLimitSec} s, stopping it`)
    void stopProcess(child)
  }, timeLimitSec * 1000)
  const [[code, signal]] = (await Promise.all([once(child, 'exit'), once(lines, 'close')])) as [
    [number | null, NodeJS.Signals | null],
    unknown,
  ]
  clearTimeout(timer)
  const outcome = { name: benchmark.name, seconds: Math.round((performance.now() - started) / 1000) }
  if (timedOut) return { ...outcome, problem: `stopped after ${timeLimitSec} s` }
  if (code !== 0) return { ...outcome, problem: `exited ${code ?? signal}` }
  const parsed = parseBenchReport(lastLine)
  if (typeof parsed === 'string') return { ...outcome, problem: parsed }
  return { ...outcome, report: parsed }
}
