/**
 * A server process' memory as a benchmark reads it: its resident set from /proc (Linux), and its
 * V8 figures right after a full garbage collection, asked over its inspector port (the server runs
 * with --inspect). Without the collection, RSS also counts garbage not yet collected, which made a
 * per-socket figure swing by a few KB from run to run.
 */
import { readFileSync } from 'node:fs'
import { WebSocket } from 'ws'

/** Resident memory of a process in bytes (Linux /proc). */
export const rssOf = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024

export interface MemoryReading {
  rss: number
  heapUsed: number
  external: number
}

/** The process' `process.memoryUsage()` right after a full collection (HeapProfiler.collectGarbage). */
export async function memoryAfterGc(inspectorPort: number): Promise<MemoryReading> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as Array<{
    webSocketDebuggerUrl: string
  }>
  const inspector = new WebSocket(targets[0]?.webSocketDebuggerUrl ?? '')
  await new Promise((resolve, reject) => {
    inspector.once('open', resolve)
    inspector.once('error', reject)
  })
  let nextId = 0
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<{ result?: { value?: string } }>((resolve) => {
      const id = ++nextId
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString()) as {
          id?: number
          result: { result?: { value?: string } }
        }
        if (message.id !== id) return
        inspector.off('message', onMessage)
        resolve(message.result)
      }
      inspector.on('message', onMessage)
      inspector.send(JSON.stringify({ id, method, params }))
    })
  await call('HeapProfiler.collectGarbage')
  const answer = await call('Runtime.evaluate', {
    expression: 'JSON.stringify(process.memoryUsage())',
    returnByValue: true,
  })
  inspector.close()
  return JSON.parse(answer.result?.value ?? '{}') as MemoryReading
}
