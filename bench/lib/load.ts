/**
 * Load runs with autocannon against one server, at max load or at a fixed rate, and what they
 * measure (throughput, exact latency quantiles, answers, CPU shares).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import type { Redis } from 'ioredis'
import { type CpuShares, measureCpu } from './cpu'
import { describeOverload, notOk } from './overload'

export interface RunFigures {
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  requests: number
  non2xx: number
  /** 503 answers (among non2xx): the server shedding load. */
  status503: number
  /** Connection errors other than timeouts (refused, reset). */
  errors: number
  /** Requests without an answer within the timeout. */
  timeouts: number
  statusCodes: Record<string, number>
  cpu: CpuShares
}

export interface LoadOptions {
  /** The server's base URL. */
  url: string
  /** The autocannon requests; called once per autocannon instance. */
  requests: () => autocannon.Request[]
  connections: number
  durationSec: number
  /** Total req/s over all connections; without it, max load. */
  overallRate?: number
  /** Seconds without an answer after which a request counts as a timeout (autocannon's 10 by default). */
  timeoutSec?: number
}

/** Whose CPU shares to measure during a run: the server process' and Redis'. */
export interface CpuWatch {
  redis: Redis
  serverPid: number
}

/** One autocannon instance: its connections, its own fixed rate (if any) and when it starts. */
interface Shooter {
  connections: number
  overallRate?: number
  startAfterMs: number
}

/**
 * autocannon limits a rate by letting every connection send its quota for the second back to back
 * as soon as the second starts, so one instance at half load is a burst of every connection at
 * full speed followed by silence, and its p99 is the max-load p99. Spreading the rate over one
 * single-connection instance per connection, started evenly over the first second, sends the
 * same number of requests as short chains spread over each second: close to a steady rate.
 */
export function shooters(connections: number, rate: number | undefined): Shooter[] {
  if (rate === undefined) return [{ connections, startAfterMs: 0 }]
  const count = Math.min(connections, rate)
  return Array.from({ length: count }, (_, index) => ({
    connections: 1,
    overallRate: Math.floor(rate / count) + (index < rate % count ? 1 : 0),
    startAfterMs: Math.round((index * 1000) / count),
  }))
}

/** Runs one autocannon instance, calling `onResponse` with each answer's status and time (ms). */
function fire(options: autocannon.Options, onResponse: (status: number, ms: number) => void) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, result: autocannon.Result) =>
      error ? reject(error) : resolve(result),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) =>
      onResponse(statusCode, responseTime),
    )
  })
}

/** The latency at quantile q (nearest rank) of sorted values, in ms with 2 decimals. */
export const quantile = (sorted: Float64Array, q: number) =>
  sorted.length === 0
    ? 0
    : Math.round((sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0) * 100) / 100

/** The run with the median throughput (of an even count, the lower one). */
export const median = (runs: RunFigures[]) =>
  [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor((runs.length - 1) / 2)] as RunFigures

/** One load run (pipelining 1); latencies count 2xx answers only. */
export async function runLoad(options: LoadOptions, watch: CpuWatch): Promise<RunFigures> {
  // Latencies are recorded here (exact, sub-millisecond) rather than read from autocannon's
  // histogram, which keeps whole milliseconds and, with a rate, adds made-up samples.
  const latencies: number[] = []
  const { result: results, cpu } = await measureCpu(watch.redis, watch.serverPid, () =>
    Promise.all(
      shooters(options.connections, options.overallRate).map(async (shooter) => {
        await sleep(shooter.startAfterMs)
        return fire(
          {
            url: options.url,
            connections: shooter.connections,
            pipelining: 1,
            duration: options.durationSec,
            requests: options.requests(),
            ...(shooter.overallRate ? { overallRate: shooter.overallRate } : {}),
            ...(options.timeoutSec ? { timeout: options.timeoutSec } : {}),
          },
          (status, ms) => {
            if (status >= 200 && status < 300) latencies.push(ms)
          },
        )
      }),
    ),
  )
  const sorted = Float64Array.from(latencies).sort()
  const statusCodes: Record<string, number> = {}
  for (const result of results) {
    for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
      statusCodes[code] = (statusCodes[code] ?? 0) + (count ?? 0)
    }
  }
  const sum = (pick: (result: autocannon.Result) => number) =>
    results.reduce((total, r) => total + pick(r), 0)
  return {
    reqPerSec: Math.round(sum((result) => result.requests.total / result.duration)),
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    requests: sum((result) => result.requests.total),
    non2xx: sum((result) => result.non2xx),
    status503: statusCodes['503'] ?? 0,
    // autocannon's errors include its timeouts.
    errors: sum((result) => result.errors - result.timeouts),
    timeouts: sum((result) => result.timeouts),
    statusCodes,
    cpu,
  }
}

/** The one line a benchmark prints per run. */
export function describeRun(label: string, figures: RunFigures): string {
  const cpuText = [
    figures.cpu.server === undefined ? undefined : `server ${figures.cpu.server}%`,
    `redis ${figures.cpu.redis}%`,
    `autocannon ${figures.cpu.loadGenerator}%`,
  ]
    .filter(Boolean)
    .join(', ')
  return (
    `${label.padEnd(34)} ${String(figures.reqPerSec).padStart(6)} req/s   p50 ${figures.p50Ms} ms   p99 ${figures.p99Ms} ms   ` +
    `${figures.requests} requests, ${describeOverload(figures)}   cpu: ${cpuText}`
  )
}

/** What went wrong in a run, or undefined if every request answered 2xx. */
export function runFailure(label: string, figures: RunFigures): string | undefined {
  if (notOk(figures) > 0) {
    return `${label}: ${describeOverload(figures)}, status codes ${JSON.stringify(figures.statusCodes)}`
  }
  return undefined
}
