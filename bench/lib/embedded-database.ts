/**
 * The local stack's embedded PostgreSQL (PGlite, infra/local-stack) in a process of its own, on a
 * fresh data directory that is removed at clean-up: a benchmark measures the apps on it as
 * `./dev start` runs them.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { freePort } from '@bookstore/test-kit'
import { onCleanUp } from './cleanup'
import { rootDir, stopProcess } from './processes'

export async function startEmbeddedDatabase(
  name: string,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pglite-'))
  onCleanUp(`${name} data`, async () => rmSync(dataDir, { recursive: true, force: true }))
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'infra/local-stack/embedded-postgres-server.ts',
      dataDir,
      String(port),
    ],
    { cwd: rootDir, stdio: ['ignore', 'pipe', 2] },
  )
  onCleanUp(name, () => stopProcess(child))
  if (!child.stdout) throw new Error(`${name} has no stdout`)
  const lines = createInterface({ input: child.stdout })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000)
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)))
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolve((JSON.parse(line) as { url: string }).url)
    })
  })
  if (child.pid === undefined) throw new Error(`${name} has no pid`)
  return { url, pid: child.pid, stop: () => stopProcess(child) }
}
