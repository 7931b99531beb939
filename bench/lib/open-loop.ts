/**
 * An open-loop load: requests are sent at a fixed rate whatever the server answers, as many
 * independent shoppers would (autocannon waits for an answer before a connection sends again, so
 * it can never offer more than the server serves). Each request's latency counts from when it was
 * due, so time spent queued behind busy connections is latency too.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'

export interface OpenLoopRequest {
  method: 'POST' | 'PUT' | 'GET'
  path: string
  headers: Record<string, string>
  body?: string
}

/** What happened to one request; `at` is when it was due, in ms since the phase began. */
export interface Outcome {
  at: number
  latencyMs: number
  /** The HTTP status, or 'error' (refused, reset) or 'timeout' (no answer in time). */
  status: number | 'error' | 'timeout'
}

export interface Phase {
  label: string
  /** Requests per second offered. */
  rate: number
  durationSec: number
}

export interface OpenLoopOptions {
  url: string
  connections: number
  timeoutMs: number
  request: () => OpenLoopRequest
}

export interface PhaseResult {
  outcomes: Outcome[]
  /** The most this generator fell behind its schedule (a loaded machine): large, the figures mean less. */
  sendLagMs: number
}

/** Runs the phases back to back on one pool; returns each phase's outcomes, all answered or timed out. */
export async function runOpenLoop(
  options: OpenLoopOptions,
  phases: readonly Phase[],
): Promise<PhaseResult[]> {
  const pool = new Pool(options.url, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connectTimeout: options.timeoutMs,
  })
  const pending = new Set<Promise<void>>()
  const results: Outcome[][] = []
  const lags: number[] = []
  try {
    for (const phase of phases) {
      const outcomes: Outcome[] = []
      results.push(outcomes)
      const started = performance.now()
      const total = Math.round(phase.rate * phase.durationSec)
      let sent = 0
      let sendLagMs = 0
      while (sent < total) {
        const elapsed = performance.now() - started
        // How far behind its schedule this generator runs: its own lag is no server's latency.
        sendLagMs = Math.max(sendLagMs, elapsed - ((sent + 1) / phase.rate) * 1000)
        const due = Math.min(total, Math.floor((elapsed / 1000) * phase.rate))
        for (; sent < due; sent += 1) {
          const at = (sent / phase.rate) * 1000
          const request = options.request()
          const done = send(pool, request, options.timeoutMs).then((status) => {
            outcomes.push({ at, latencyMs: performance.now() - started - at, status })
          })
          pending.add(done)
          void done.finally(() => pending.delete(done))
        }
        // Let answers in; a 1 ms step keeps the rate even at thousands per second.
        await sleep(1)
      }
      lags.push(sendLagMs)
    }
    await Promise.all(pending)
    return results.map((outcomes, index) => ({ outcomes, sendLagMs: lags[index] ?? 0 }))
  } finally {
    await pool.destroy()
  }
}

async function send(pool: Pool, request: OpenLoopRequest, timeoutMs: number): Promise<Outcome['status']> {
  try {
    const response = await pool.request({
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    await response.body.dump()
    return response.statusCode
  } catch (error) {
    const name = error instanceof Error ? error.name : ''
    const code = error instanceof Error && 'code' in error ? String(error.code) : ''
    return name === 'TimeoutError' || code.includes('TIMEOUT') ? 'timeout' : 'error'
  }
}

export const quantileOf = (values: readonly number[], q: number): number => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}
